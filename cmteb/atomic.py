"""The one atomic file writer: every file cmteb writes for others to read goes through `replace_file`.

Policy: write the bytes to a temporary file in the target's folder, fsync it, rename it over the
target, fsync the folder. A reader never sees a half-written file (either the old file or the new
one exists), and a rename that returned survives a power loss. Writers of a whole folder (the
leaderboard, a downloaded task) write it beside its target with `replace_file`, then move it, or
each of its files, into place with `rename_durably`, which fsyncs the folders the renames changed;
`FOLDER_MODE` gives such a staging folder the permissions of any other folder. The temporary file is
`.{name}.<random>.tmp` (hidden, and not `*.json`/`*.emb`), so a process killed before the rename
(SIGKILL, power loss) leaves at worst a stale temporary file that no reader picks up;
`temp_files` finds them for removal by whoever owns the folder. Written files get the usual
permissions (0666 minus the umask), not mkstemp's private 0600.

Errors are the OS's (`OSError`); callers decide what a failed write means (a results writer
stops the run, the embedding cache only stops caching).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(rf"\.(?P<name>.+)\.[^.]+{re.escape(TEMP_SUFFIX)}")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()
FOLDER_MODE = 0o777 & ~_current_umask()  # mkdtemp makes its folders private (0700)


def replace_file(path: Path, data: bytes) -> None:
    """Make `data` the content of `path`, atomically and durably (module policy).

    Raises OSError when the folder, the temporary file, the fsync or the rename fails; the
    temporary file is removed and an existing `path` is kept.
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
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def rename_durably(renames: Sequence[tuple[Path, Path]]) -> None:
    """Rename each source (a file or a folder) to its target in the same file system, replacing a
    file there, then fsync each target's folder once: renames that returned survive a power loss.

    Raises OSError; the renames made before a failure stay made (the caller orders them).
    """
    for source, target in renames:
        os.replace(source, target)
    for folder in dict.fromkeys(target.parent for _, target in renames):
        _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def temp_files(folder: Path, target: str | None = None) -> list[Path]:
    """Temporary files `replace_file` left in `folder` (killed before the rename), sorted; only
    those of the file named `target` when given. Delete them only while no writer of those files
    is live (e.g. holding the result's lock, or when they are old)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _TEMP_NAME.fullmatch(path.name)
        if match and (target is None or match["name"] == target):
            found.append(path)
    return sorted(found)
