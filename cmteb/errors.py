"""Errors that map to the exit codes of the contract.

Policy: a user mistake raises `UserError` (exit 2) carrying one line that names the thing at fault
(file and line, task, model). A task that fails while running raises `TaskError` (exit 1 for the run;
the other tasks still run). The CLI prints `str(error)` on one line; tracebacks only with `--debug`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

EXIT_OK = 0
EXIT_TASK_FAILED = 1
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130

_LINE_BREAK = re.compile(r"[ \t]*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+\s*")


class CmtebError(Exception):
    """Base class of every error cmteb reports on one line (`str()` never spans lines)."""

    exit_code = EXIT_USER_ERROR

    def __str__(self) -> str:
        return one_line(super().__str__())

    def lines(self) -> list[str]:
        """What the CLI prints: one line per problem."""
        return [str(self)]


class UserError(CmtebError):
    """Invalid input: unknown names, bad flags, malformed files, missing data. Exit 2."""

    exit_code = EXIT_USER_ERROR


class UserErrors(UserError):
    """Several independent input problems (e.g. every malformed local data file of a run), each
    reported on its own line (exit 2); `str()` joins them for the Python API."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = [one_line(str(p)) for p in problems]
        super().__init__("; ".join(self.problems))

    def lines(self) -> list[str]:
        return list(self.problems)


class LocalDataError(UserError):
    """The user's local task data (a `--data-dir` folder, a bundled or local-only task's folder)
    is missing or malformed. The contract validates all of it before any encoding, so the run
    stops with exit 2 even when other tasks could run (data that cannot be fetched from the hub
    is, by contrast, that task's failure)."""


class TaskError(CmtebError):
    """A task failed while running (model error, NaN/inf embeddings, scoring error). Exit 1."""

    exit_code = EXIT_TASK_FAILED


def one_line(message: str) -> str:
    """`message` with each line break (and the blanks around it) replaced by one space.

    Third-party exceptions often span lines; cmteb reports each problem on exactly one line.
    """
    return _LINE_BREAK.sub(" ", message).strip()


def validation_line(where: str, exc: Any) -> str:
    """`<where>: <field.path>: <message>` for the first problem of a pydantic `ValidationError`
    `exc`, plus `(+N more)` when it has several; a problem of the whole object is at
    `(top level)`. Every validated file and config reports its problems through this line."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(top level)"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {field}: {first['msg']}{more}"


def did_you_mean(name: str, known: Iterable[str], n: int = 3) -> str:
    """Return ' (did you mean: A, B?)' for the closest known names, or '' when none is close.

    Matching is case-insensitive; a case-insensitive exact match is always suggested first.
    """
    known = list(known)
    by_lower = {k.lower(): k for k in known}
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=n, cutoff=0.5)
    if not matches:
        matches = [k for k in by_lower if name.lower() in k][:n]
    if not matches:
        return ""
    return " (did you mean: " + ", ".join(by_lower[m] for m in matches) + "?)"
