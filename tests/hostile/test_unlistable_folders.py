"""A results folder that cannot be listed (permissions) stops merge, compare and leaderboard with
one line naming it: skipping it would drop its results without a word."""

from __future__ import annotations

import os
import shutil

import pytest

import cmteb
from tests.hostile.helpers import cli, one_error_line


@pytest.fixture(scope="module")
def demo_results(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    cmteb.evaluate("hash", benchmark="demo", output_dir=root)
    return root


@pytest.fixture
def locked(demo_results, tmp_path, monkeypatch):
    """A copy of the demo results whose model folder cannot be listed (as without read permission,
    which the root user of a CI container would not feel)."""
    results = tmp_path / "results"
    shutil.copytree(demo_results, results)
    locked = next(results.iterdir())
    real_scandir = os.scandir

    def scandir(path=".", *rest):
        if os.fspath(path) == os.fspath(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path, *rest)

    monkeypatch.setattr(os, "scandir", scandir)
    return results, locked


@pytest.mark.parametrize("command", ["merge", "compare", "leaderboard"])
def test_an_unlistable_results_folder_is_named_not_skipped(locked, tmp_path, capsys, command):
    results, folder = locked
    args = {"merge": ["merge", results, "--out", tmp_path / "merged"],
            "compare": ["compare", results, results],
            "leaderboard": ["leaderboard", "--results", results, "--benchmark", "demo", "--no-plots",
                            "--resamples", "0", "--out", tmp_path / "lb"]}[command]
    code, _, err = cli(capsys, *args)
    assert code == 2 and f"{folder}: cannot list this folder: Permission denied" in one_error_line(err)
    assert not (tmp_path / "merged").exists() and not (tmp_path / "lb").exists()
