"""A task whose data cannot be loaded or validated fails alone: the other tasks load, run and are
written, the run exits 1 naming it; only when no task loads does the run stop with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cmteb
from cmteb.errors import TaskError
from tests.reliability.helpers import result_files, run_cmteb
from tests.tasks.task_yaml_helpers import TINY_TASK, write

GOOD = ["DemoSTS", "DemoPairClassification"]


def broken_task(root: Path, name: str = "Tiny") -> Path:
    """A local-only STS task whose second data line is not JSON; returns its YAML file."""
    write(root, f"data/{name}/test.jsonl",
          '{"sentence1": "a", "sentence2": "b", "score": 1.0}\n{"sentence1": "a", broken\n')
    return write(root, f"{name}.yaml", TINY_TASK.replace("Tiny", name))


def test_one_broken_task_and_two_good_ones_exit_1_with_the_two_written(tmp_path, capsys):
    task_file, out = broken_task(tmp_path), tmp_path / "out"
    args = ["--model", "hash", "--tasks", ",".join(GOOD), "--task-file", str(task_file),
            "--output-dir", str(out), "--no-progress"]
    code, stdout, err = run_cmteb(capsys, *args)
    assert code == 1
    assert sorted(result_files(out)) == sorted(GOOD)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cmteb: error: hash: ")
    assert str(tmp_path / "data" / "Tiny" / "test.jsonl") + ":2" in lines[0]
    assert "Tiny" in stdout and "FAILED" in stdout and "DemoSTS" in stdout
    for task in GOOD:
        doc = json.loads(result_files(out)[task].read_text("utf-8"))
        assert doc["task_name"] == task and doc["scores"]

    code, stdout, err = run_cmteb(capsys, *args)  # a rerun keeps the two and still names the third
    assert code == 1 and stdout.count("(already done)") == 2 and len(err.strip().splitlines()) == 1

    (tmp_path / "data" / "Tiny" / "test.jsonl").write_text(
        '{"sentence1": "今天天气很好", "sentence2": "今天天气不错", "score": 4.0}\n'
        '{"sentence1": "我喜欢猫", "sentence2": "股票下跌了", "score": 0.0}\n'
        '{"sentence1": "他在看书", "sentence2": "他在读书", "score": 3.0}\n', encoding="utf-8")
    code, stdout, _ = run_cmteb(capsys, *args)  # fixed: only the third one runs
    assert code == 0 and stdout.count("(already done)") == 2
    assert sorted(result_files(out)) == sorted([*GOOD, "Tiny"])


def test_a_task_that_falls_back_to_an_unreachable_hub_fails_alone(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    (tmp_path / "data").mkdir()  # no STSB folder: STSB goes to the hub, which is offline
    code, _, err = run_cmteb(capsys, "--model", "hash", "--tasks", f"{','.join(GOOD)},STSB",
                             "--data-dir", str(tmp_path / "data"), "--output-dir", str(tmp_path / "out"),
                             "--no-progress")
    assert code == 1
    assert sorted(result_files(tmp_path / "out")) == sorted(GOOD)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "STSB" in lines[0]


def test_when_no_task_loads_the_run_stops_with_exit_2_naming_each(tmp_path, capsys):
    files = [broken_task(tmp_path, "TinyA"), broken_task(tmp_path, "TinyB")]
    code, stdout, err = run_cmteb(capsys, "--model", "hash", "--task-file", str(files[0]),
                                  "--task-file", str(files[1]), "--output-dir", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert all(f"{tmp_path / 'data' / name / 'test.jsonl'}:2" in lines[0] for name in ["TinyA", "TinyB"])
    assert not (tmp_path / "out").exists()


def test_the_python_api_reports_the_broken_task_and_returns_the_others(tmp_path):
    data = tmp_path / "data"
    (data / "DemoSTS").mkdir(parents=True)
    (data / "DemoSTS" / "test.jsonl").write_text('{"sentence1": "a"}\n', encoding="utf-8")
    kwargs = {"tasks": ["DemoSTS", "DemoPairClassification"], "data_dir": data,
              "output_dir": tmp_path / "out"}
    with pytest.raises(TaskError, match="missing field 'sentence2'"):
        cmteb.evaluate("hash", **kwargs)
    results = cmteb.evaluate("hash", raise_on_failure=False, **kwargs)
    assert sorted(results) == ["DemoPairClassification"]
