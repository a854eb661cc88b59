"""One writer per result file: runs sharing an output folder never write the same result at once.

Policy: before any work, a run locks every result file it may write, all or nothing. The lock of
`OUTPUT/{org__model}/{revision}/{Task}.json` is `OUTPUT/.cmteb-locks/{org__model}/{revision}/{Task}.lock`
(outside the result folders, so copying or publishing results never carries lock files along).
Locks are the operating system's (filelock's `FileLock`, `flock` on Unix): the kernel releases
them when the process ends in any way, SIGKILL included, so a killed run never leaves a lock
that blocks the next one. A result locked by another live run is a `UserError` (exit 2) naming
the result and its holder; runs on different models or disjoint tasks (shards) proceed side by side.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from cmteb.errors import UserError

LOCKS_FOLDER = ".cmteb-locks"


def lock_path(output_dir: Path, result_file: Path) -> Path:
    """Where the lock of `result_file` (a path under `output_dir`) lives."""
    relative = result_file.relative_to(output_dir)
    return output_dir / LOCKS_FOLDER / relative.with_suffix(".lock")


def _write_holder(fd: int) -> None:
    """Record who holds the lock (read by a run that finds it held)."""
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time(),
              "command": " ".join(sys.argv)[:500]}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder).encode("utf-8"), 0)


def describe_holder(lock_file: Path) -> str:
    """'pid 123 on host, since 2026-01-01 12:00:00' from the lock file, or 'another run'."""
    try:
        holder = json.loads(lock_file.read_text(encoding="utf-8"))
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(holder["since"])))
        return f"pid {int(holder['pid'])} on {holder['host']}, since {since}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another run"


class ResultLocks:
    """The locks of one run; use as a context manager so they are released on every exit."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self._held: list[FileLock] = []

    def acquire(self, result_files: Iterable[Path]) -> None:
        """Lock every file in `result_files` without waiting; UserError if one is held elsewhere."""
        try:
            for result_file in result_files:
                self._acquire_one(result_file)
        except BaseException:
            self.release()
            raise

    def _acquire_one(self, result_file: Path) -> None:
        path = lock_path(self.output_dir, result_file)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(path, blocking=False, on_acquired=_write_holder)
            lock.acquire()
        except Timeout:
            raise UserError(
                f"{result_file} is being written by another cmteb run ({describe_holder(path)}); "
                "wait for it to finish, or use another --output-dir"
            ) from None
        except OSError as exc:
            raise UserError(f"--output-dir {self.output_dir}: cannot create lock {path}: "
                            f"{exc.strerror or exc}") from exc
        self._held.append(lock)

    def release(self) -> None:
        while self._held:
            self._held.pop().release()

    def __enter__(self) -> ResultLocks:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
