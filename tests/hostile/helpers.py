"""Helpers for the hostile-input tests: in-process `cmteb` calls and a snapshot of a folder tree,
to show that a command wrote nothing outside the folder it was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmteb.cli import main as cmteb_main


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """`cmteb ARGS` in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = cmteb_main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    """The single `cmteb: error:` line of `err` (fails on more lines or a traceback)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cmteb: error: "), err
    return lines[0]


def snapshot(root: Path, *, skip: Path | None = None) -> dict[str, tuple[int, int]]:
    """{relative path: (size, mtime_ns)} of everything under `root` except under `skip`."""
    out = {}
    for path in root.rglob("*"):
        if skip is not None and (path == skip or path.is_relative_to(skip)):
            continue
        stat = path.lstat()
        out[str(path.relative_to(root))] = (stat.st_size if path.is_file() else 0, stat.st_mtime_ns)
    return out
