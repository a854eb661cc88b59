"""Names that become path components: the one check every path builder applies.

A model name (or `--name`), a revision (`--revision`), a task name and a baseline name each become
a folder or file name under a folder the user chose: `OUTPUT/{org__model}/{revision}/{Task}.json`,
its lock under `OUTPUT/.cmteb-locks/`, `BASELINES/{org__model}.json`. Policy: such a name is
refused (UserError, exit 2, naming it) when it could leave that folder or hide in it:
- empty, or starting with `.` (`.`/`..` themselves, and hidden names that readers skip);
- containing `..`, a path separator (`/` or `\\`), or a character that is not printable text
  (control characters such as line breaks and NUL, bidirectional overrides, lone surrogates);
- longer than MAX_BYTES bytes of UTF-8 (a file system's limit is 255, and temporary and
  per-sample files add to the name).
A model name is the exception for `/`: `org/model` is how hub names are written, and its folder
is `org__model` (every `/` becomes `__`); a leading `/` is still refused.
"""

from __future__ import annotations

import unicodedata

from cmteb.errors import UserError

MAX_BYTES = 200
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NOT_TEXT = frozenset({"Cc", "Cs", "Zl", "Zp"})
_WHY = "it becomes a file or folder name, which must stay inside the output folder"


def problem(name: str) -> str | None:
    """Why `name` cannot be a path component (module docstring), or None when it can."""
    if not isinstance(name, str) or not name:
        return "is empty"
    if ".." in name:
        return "contains '..'"
    if name.startswith("/"):
        return "is an absolute path"
    if "/" in name or "\\" in name:
        return "contains a path separator"
    if name.startswith("."):
        return "starts with '.'"
    bad = next((c for c in name if unicodedata.category(c) in _NOT_TEXT or c in _BIDI_CONTROLS), None)
    if bad is not None:
        return f"contains the control character U+{ord(bad):04X}"
    if len(name.encode("utf-8")) > MAX_BYTES:
        return f"is longer than {MAX_BYTES} bytes"
    return None


def _refuse(name: object, what: str, why: str) -> UserError:
    shown = repr(name)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return UserError(f"{what} {shown} {why}: {_WHY}")


def path_component(name: str, what: str) -> str:
    """`name` unchanged when it is a safe path component; else UserError naming `what`."""
    why = problem(name)
    if why is not None:
        raise _refuse(name, what, why)
    return name


def model_folder(name: str, what: str = "model name") -> str:
    """`org__model`: `name` with every `/` replaced by `__`, checked as a path component."""
    if not isinstance(name, str) or name.startswith("/"):
        return path_component(name, what)  # refused: empty or absolute (or '..')
    why = problem(name.replace("/", "__"))
    if why is not None:
        raise _refuse(name, what, why)
    return name.replace("/", "__")
