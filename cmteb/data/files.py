"""Low-level reading of local task files (JSON lines, qrels TSV) with `file:line` errors.

Policy: files are UTF-8 (a leading BOM is ignored); lines are split on "\\n" only, because a JSON
string may hold U+2028 and friends; "\\r" before a line break is ignored; blank lines are skipped;
a key given twice in one JSON object is an error (the json module would keep the last); a file
without records is an error. Every file read is hashed for the content fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cmteb.errors import UserError

QRELS_HEADER = ("query-id", "corpus-id", "score")
_INT = re.compile(r"-?[0-9]{1,18}")


class FileLog:
    """Reads files under `root` and remembers the sha256 of each one's bytes, by relative name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.digests: dict[str, str] = {}

    def read_text(self, path: Path) -> str:
        """The file's text; a missing, unreadable or non-UTF-8 file is a UserError naming it."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise UserError(f"{path}: file not found") from None
        except OSError as exc:
            raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from None
        self.digests[path.relative_to(self.root).as_posix()] = hashlib.sha256(data).hexdigest()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise UserError(f"{path}:{line}: not valid UTF-8 ({exc.reason})") from None

    def fingerprint(self) -> str:
        """`sha256:<hex>` over `name NUL sha256(bytes) LF` of every file read, sorted by name.

        Depends on exactly the files read (names relative to the task folder and their bytes), so
        an unrelated file in the folder does not change it.
        """
        outer = hashlib.sha256()
        for name in sorted(self.digests):
            outer.update(f"{name}\0{self.digests[name]}\n".encode())
        return "sha256:" + outer.hexdigest()


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its "\\r\\n") for the non-blank lines."""
    for lineno, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield lineno, line.removesuffix("\r")


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(key)
        obj[key] = value
    return obj


def _parse_json(line: str, where: str) -> Any:
    try:
        return json.loads(line, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise UserError(f"{where}: key {str(exc)[:40]!r} appears twice in one record") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{where}: malformed JSON at column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise UserError(f"{where}: malformed JSON: nested too deeply") from None
    except ValueError as exc:
        raise UserError(f"{where}: malformed JSON: {str(exc).splitlines()[0]}") from None


def _check_unicode(obj: dict[str, Any], line: str, where: str) -> None:
    """Reject lone surrogates (escaped as \\udXXX), which no tokenizer or writer accepts."""
    if "\\ud" in line or "\\uD" in line:
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise UserError(f"{where}: invalid unicode escape (lone surrogate)") from None


def iter_jsonl(log: FileLog, path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (`"path:line"`, object) per record; errors name the file and line."""
    count = 0
    for lineno, line in _lines(log.read_text(path)):
        where = f"{path}:{lineno}"
        obj = _parse_json(line, where)
        if not isinstance(obj, dict):
            raise UserError(f"{where}: expected a JSON object, got {kind_of(obj)}")
        _check_unicode(obj, line, where)
        count += 1
        yield where, obj
    if count == 0:
        raise UserError(f"{path}: empty file (no records)")


def iter_qrels_tsv(log: FileLog, path: Path) -> Iterator[tuple[str, str, str, int]]:
    """Yield (`"path:line"`, query id, corpus id, integer score) per row after the header."""
    lines = _lines(log.read_text(path))
    first = next(lines, None)
    if first is None or tuple(first[1].split("\t")) != QRELS_HEADER:
        lineno = first[0] if first else 1
        raise UserError(f"{path}:{lineno}: header must be 'query-id<TAB>corpus-id<TAB>score'")
    count = 0
    for lineno, line in lines:
        where = f"{path}:{lineno}"
        parts = line.split("\t")
        if len(parts) != 3:
            raise UserError(f"{where}: expected 3 tab-separated fields, got {len(parts)}")
        if not _INT.fullmatch(parts[2]):
            raise UserError(f"{where}: score must be an integer, got {parts[2][:40]!r}")
        score = int(parts[2])
        count += 1
        yield where, parts[0], parts[1], score
    if count == 0:
        raise UserError(f"{path}: empty file (header only, no qrels)")


def kind_of(value: Any) -> str:
    """JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    names = {bool: "bool", int: "int", float: "float", str: "string", list: "list", dict: "object"}
    return names.get(type(value), type(value).__name__)
