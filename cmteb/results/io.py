"""Result files (JSON, text, bytes) written through the one atomic writer, and read back.

Writes go through `cmteb.atomic.replace_file` (temporary file in the same folder, fsync, rename,
fsync the folder): a reader never sees a half-written result. A failed write is a `WriteError`
naming the file; a run that owns a result (holds its lock) removes what a killed writer left
with `stale_temp_files`. NaN/inf are stored as null.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from cmteb.atomic import replace_file, temp_files
from cmteb.errors import TaskError, UserError


class WriteError(TaskError):
    """A result could not be written (disk full, permissions, I/O error); nothing partial is left."""


def _json_safe(value: Any) -> Any:
    """NaN/inf are not JSON; store them as null (mteb does the same for missing AP)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _json_safe(value.item())
    return value


def write_json_atomic(path: Path, obj: Any, *, indent: int | None = 2) -> None:
    """Write `obj` as JSON (NaN/inf stored as null) to `path`; see `write_bytes_atomic`."""
    text = json.dumps(_json_safe(obj), ensure_ascii=False, indent=indent, allow_nan=False) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically and durably (`cmteb.atomic.replace_file`).

    Raises `WriteError` (naming the file and the OS reason) when the write fails; nothing partial
    is left and an existing `path` is kept.
    """
    try:
        replace_file(path, data)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from exc


def stale_temp_files(path: Path) -> list[Path]:
    """Temporary files a killed writer of `path` left behind (before its rename).

    Only call this while holding the lock of `path`; otherwise a live writer's file may be listed.
    """
    return temp_files(path.parent, path.name)


def json_files(root: Path) -> list[Path]:
    """Every `*.json` file under `root` at any depth, sorted. A folder that cannot be listed is a
    UserError naming it (`Path.rglob` would skip it without a word, and its results with it)."""

    def refuse(exc: OSError) -> None:
        raise UserError(f"{exc.filename or root}: cannot list this folder: {exc.strerror or exc}")

    return sorted(Path(folder, name) for folder, _, names in os.walk(root, onerror=refuse, followlinks=True)
                  for name in names if name.endswith(".json"))


def read_json(path: Path) -> Any:
    """Parse a JSON file; a corrupt file is a UserError naming it (never silently replaced)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: corrupt JSON ({exc.msg})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from exc
    except (ValueError, RecursionError) as exc:
        raise UserError(f"{path}: corrupt JSON ({type(exc).__name__})") from exc


def read_json_or_none(path: Path | None) -> Any:
    """The parsed JSON of `path`, or None when `path` is None, missing, unreadable or not JSON:
    for optional files that only add facts (a checkpoint's configs, mteb's `model_meta.json`),
    never for results."""
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path is not None else None
    except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
