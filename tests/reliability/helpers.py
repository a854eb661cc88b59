"""Helpers for the reliability tests: running cmteb in-process and the checks every fault test makes.

"Identical results" (the contract): every value under `scores` is equal; the per-sample files,
which hold no timings, must be byte-identical too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmteb.cli import main as cmteb_main

# The first four demo tasks, in the demo benchmark's order (the last two, classification and
# clustering, take most of the demo's time and add no fault case).
TASKS = ["DemoRetrieval", "DemoReranking", "DemoSTS", "DemoPairClassification"]
DEMO = ["--tasks", ",".join(TASKS)]


def run_cmteb(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`cmteb run ARGS` in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = cmteb_main(["run", *args])
    out, err = capsys.readouterr()
    return code, out, err


def result_files(folder: Path) -> dict[str, Path]:
    """{task: result file} of every result under `folder` (any depth)."""
    return {p.stem: p for p in folder.rglob("*.json") if not p.name.endswith(".samples.json")}


def scores_by_task(folder: Path) -> dict[str, str]:
    """{task: canonical JSON of its `scores`} plus {task.samples: file text} under `folder`."""
    out = {task: json.dumps(json.loads(path.read_text("utf-8"))["scores"], sort_keys=True)
           for task, path in result_files(folder).items()}
    out.update({p.name: p.read_text("utf-8") for p in folder.rglob("*.samples.json")})
    return out


def assert_no_partial_files(folder: Path) -> None:
    """No temporary file anywhere, and every JSON file parses completely."""
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]
    for path in folder.rglob("*.json"):
        json.loads(path.read_text("utf-8"))
