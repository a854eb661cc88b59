"""Atomic files (JSON, text, bytes): write to a temporary file in the same folder, fsync, rename.

A reader never sees a half-written result: either the old file or the new one exists. The
temporary file is `.{name}.<random>.tmp` (hidden, not `*.json`), so a process killed between
writing and renaming (SIGKILL, power loss) leaves at worst a stale temporary file that no result
reader picks up; `stale_temp_files` finds them for removal by the run that owns the result.
Written files get the usual permissions (0666 minus the umask), not mkstemp's private 0600.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from cmteb.errors import TaskError, UserError

TEMP_SUFFIX = ".tmp"


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()


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


def _fsync_folder(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_json_atomic(path: Path, obj: Any, *, indent: int | None = 2) -> None:
    """Write `obj` as JSON (NaN/inf stored as null) to `path`; see `write_bytes_atomic`."""
    text = json.dumps(_json_safe(obj), ensure_ascii=False, indent=indent, allow_nan=False) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically and durably.

    Raises `WriteError` (naming the file and the OS reason) when the folder, the temporary file,
    the fsync or the rename fails; the temporary file is removed and an existing `path` is kept.
    """
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), _FILE_MODE)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
        _fsync_folder(path.parent)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def stale_temp_files(path: Path) -> list[Path]:
    """Temporary files that `write_json_atomic(path, ...)` left behind (killed before the rename).

    Only call this while holding the lock of `path`; otherwise a live writer's file may be listed.
    """
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[^.]+{re.escape(TEMP_SUFFIX)}")
    if not path.parent.is_dir():
        return []
    return sorted(p for p in path.parent.iterdir() if pattern.fullmatch(p.name))


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
