"""Data faults and exit codes. Local data (the user's input) is validated for every task before any
encoding: one malformed folder stops the run with exit 2 and nothing written (the contract). A task
whose hub data cannot be loaded fails alone: the others load, run and are written, the run exits 1
naming it; only when no task loads does the run stop with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cmteb
from cmteb.errors import TaskError, UserError
from tests.reliability.helpers import result_files, run_cmteb
from tests.tasks.task_yaml_helpers import TINY_TASK, write

GOOD = ["DemoSTS", "DemoPairClassification"]


def broken_task(root: Path, name: str = "Tiny") -> Path:
    """A local-only STS task whose second data line is not JSON; returns its YAML file."""
    write(root, f"data/{name}/test.jsonl",
          '{"sentence1": "a", "sentence2": "b", "score": 1.0}\n{"sentence1": "a", broken\n')
    return write(root, f"{name}.yaml", TINY_TASK.replace("Tiny", name))


def test_malformed_local_data_stops_the_run_before_any_encoding(tmp_path, capsys):
    """Local data is the user's input: the contract validates all of it before any encoding, so
    one malformed task folder stops the run (exit 2, nothing written) even beside good tasks."""
    task_file, out = broken_task(tmp_path), tmp_path / "out"
    code, stdout, err = run_cmteb(capsys, "--model", "hash", "--tasks", ",".join(GOOD),
                                  "--task-file", str(task_file), "--output-dir", str(out),
                                  "--no-progress")
    assert code == 2 and stdout == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(tmp_path / "data" / "Tiny" / "test.jsonl") + ":2" in lines[0]
    assert not out.exists()


def test_one_task_whose_hub_data_cannot_be_loaded_fails_alone_and_two_good_ones_are_written(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    (tmp_path / "data").mkdir()  # no STSB folder: STSB goes to the hub, which is offline
    args = ["--model", "hash", "--tasks", f"{','.join(GOOD)},STSB", "--data-dir", str(tmp_path / "data"),
            "--output-dir", str(tmp_path / "out"), "--no-progress"]
    code, stdout, err = run_cmteb(capsys, *args)
    assert code == 1
    assert sorted(result_files(tmp_path / "out")) == sorted(GOOD)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "STSB" in lines[0]
    assert "STSB" in stdout and "FAILED" in stdout and "DemoSTS" in stdout
    for task in GOOD:
        doc = json.loads(result_files(tmp_path / "out")[task].read_text("utf-8"))
        assert doc["task_name"] == task and doc["scores"]

    code, stdout, err = run_cmteb(capsys, *args)  # a rerun keeps the two and still names the third
    assert code == 1 and stdout.count("(already done)") == 2 and len(err.strip().splitlines()) == 1


def test_when_no_task_loads_the_run_stops_with_exit_2_naming_each(tmp_path, capsys):
    files = [broken_task(tmp_path, "TinyA"), broken_task(tmp_path, "TinyB")]
    code, stdout, err = run_cmteb(capsys, "--model", "hash", "--task-file", str(files[0]),
                                  "--task-file", str(files[1]), "--output-dir", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    lines = err.strip().splitlines()  # one line per problem (CONTRACT)
    assert len(lines) == 2 and all(line.startswith("cmteb: error: ") for line in lines)
    assert all(f"{tmp_path / 'data' / name / 'test.jsonl'}:2" in line
               for name, line in zip(["TinyA", "TinyB"], lines, strict=True))
    assert not (tmp_path / "out").exists()


def test_the_python_api_reports_the_failed_task_and_returns_the_others(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    (tmp_path / "data").mkdir()  # STSB falls back to the offline hub
    kwargs = {"tasks": ["STSB", "DemoPairClassification"], "data_dir": tmp_path / "data",
              "output_dir": tmp_path / "out"}
    with pytest.raises(TaskError, match="STSB"):
        cmteb.evaluate("hash", **kwargs)
    results = cmteb.evaluate("hash", raise_on_failure=False, **kwargs)
    assert sorted(results) == ["DemoPairClassification"]


def test_the_python_api_refuses_malformed_local_data_before_any_encoding(tmp_path):
    data = tmp_path / "data"
    (data / "DemoSTS").mkdir(parents=True)
    (data / "DemoSTS" / "test.jsonl").write_text('{"sentence1": "a"}\n', encoding="utf-8")
    with pytest.raises(UserError, match="missing field 'sentence2'"):
        cmteb.evaluate("hash", tasks=["DemoSTS", "DemoPairClassification"], data_dir=data,
                       output_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()
