"""Every kind of bad input through the `cmteb run` command: one line on stderr, the right exit code,
and nothing written that should not be.

The finer cases of each kind are tested where the checks live (tests/data, tests/tasks,
tests/unit); here each kind is checked once end to end.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cmteb.tasks.registry import tasks_root
from tests.reliability.helpers import result_files, run_cmteb
from tests.tasks.task_yaml_helpers import TINY_TASK

DEMO_DATA = tasks_root() / "demo" / "data"


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("cmteb: error: ")
    return lines[0]


def _data_dir(tmp: Path, task: str, edit: dict[str, str]) -> Path:
    """A --data-dir holding the demo data of `task` with files replaced or appended to.

    `edit`: {relative file: text}; a text starting with "+" is appended to the file.
    """
    folder = tmp / "data" / task
    shutil.copytree(DEMO_DATA / task, folder)
    for name, text in edit.items():
        path = folder / name
        if text.startswith("+"):
            path.write_text(path.read_text("utf-8") + text[1:], encoding="utf-8")
        else:
            path.write_text(text, encoding="utf-8")
    return tmp / "data"


# case: (task, {file: text}, fragments of the message)
DATA_CASES = {
    "missing column": ("DemoSTS", {"test.jsonl": '{"sentence1": "a", "score": 1}\n'},
                       ["test.jsonl:1", "missing field 'sentence2'"]),
    "empty split": ("DemoSTS", {"test.jsonl": "\n"}, ["test.jsonl", "empty file"]),
    "label of the wrong type": ("DemoPairClassification", {
        "validation.jsonl": '+{"sentence1": "a", "sentence2": "b", "label": "1"}\n'},
        ["validation.jsonl:", "'label' must be an integer, got string"]),
    "qrels point at a missing id": ("DemoRetrieval", {"qrels/dev.tsv": "+q01\td999\t1\n"},
                                    ["dev.tsv:", "corpus id 'd999' is not in the corpus"]),
    "malformed JSON": ("DemoSTS", {"test.jsonl": '+{"sentence1": "a", \n'},
                       ["test.jsonl:", "malformed JSON"]),
}


@pytest.mark.parametrize("case", list(DATA_CASES))
def test_bad_data_stops_the_run_before_any_encoding_even_beside_a_good_task(tmp_path, capsys, case):
    task, edit, fragments = DATA_CASES[case]
    data_dir = _data_dir(tmp_path, task, edit)
    other = "DemoClassification" if task == "DemoRetrieval" else "DemoRetrieval"
    code, _, err = run_cmteb(capsys, "--model", "tests.reliability.fault_models:NaNOnSTS",
                             "--tasks", f"{other},{task}", "--data-dir", str(data_dir),
                             "--output-dir", str(tmp_path / "out"))
    line = _one_error_line(err)
    assert code == 2
    assert str(data_dir / task) in line and all(f in line for f in fragments), line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", list(DATA_CASES))
def test_bad_data_of_the_only_task_exits_2_before_any_encoding(tmp_path, capsys, case):
    task, edit, fragments = DATA_CASES[case]
    data_dir = _data_dir(tmp_path, task, edit)
    code, _, err = run_cmteb(capsys, "--model", "tests.reliability.fault_models:NaNOnSTS",
                             "--tasks", task, "--data-dir", str(data_dir),
                             "--output-dir", str(tmp_path / "out"))
    line = _one_error_line(err)
    assert code == 2
    assert str(data_dir / task) in line and all(f in line for f in fragments), line
    assert not (tmp_path / "out").exists()


def test_bad_data_of_several_tasks_is_one_line_per_problem(tmp_path, capsys):
    """Every requested task's local data is checked first, and each broken file gets its own line."""
    for name in ("malformed JSON", "qrels point at a missing id"):
        task, edit, _ = DATA_CASES[name]
        data_dir = _data_dir(tmp_path, task, edit)
    code, _, err = run_cmteb(capsys, "--model", "hash", "--tasks", "DemoSTS,DemoRetrieval",
                             "--data-dir", str(data_dir), "--output-dir", str(tmp_path / "out"))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 2 and all(line.startswith("cmteb: error: ") for line in lines)
    assert "DemoSTS" in lines[0] and "malformed JSON" in lines[0] and "DemoRetrieval" not in lines[0]
    assert "DemoRetrieval" in lines[1] and "corpus id 'd999'" in lines[1]
    assert not (tmp_path / "out").exists()


def test_an_unreachable_hub_for_every_task_is_one_line(tmp_path, capsys, monkeypatch):
    """One cause, one line naming every task (not the same advice once per task)."""
    from cmteb.data import hub

    for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "CMTEB_HUB_MIRROR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(hub, "hub_reachable", lambda: False)
    code, _, err = run_cmteb(capsys, "--model", "hash", "--tasks", "STSB,PAWSX",
                             "--output-dir", str(tmp_path / "out"))
    line = _one_error_line(err)
    assert code == 2 and "cannot reach the Hugging Face hub for the data of STSB, PAWSX" in line
    assert line.count("--data-dir") == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("text", "fragment"), [
    (TINY_TASK + "colour: red\n", "Tiny.yaml: colour: Extra inputs are not permitted"),
    (TINY_TASK + "type: Retrieval\n", "Tiny.yaml:12: duplicate key 'type' (first on line 2)"),
    (TINY_TASK.replace("  cmteb: [test]\n", "  cmteb: [test\n"), "Tiny.yaml:8: expected ',' or ']'"),
])
def test_bad_task_file_exits_2(tmp_path, capsys, text, fragment):
    task_file = tmp_path / "Tiny.yaml"
    task_file.write_text(text, encoding="utf-8")
    code, _, err = run_cmteb(capsys, "--model", "hash", "--task-file", str(task_file),
                             "--output-dir", str(tmp_path / "out"))
    assert code == 2 and fragment in _one_error_line(err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("args", "fragment"), [
    (["--tasks", "DemoSTSS"], "unknown task 'DemoSTSS' (did you mean: DemoSTS"),
    (["--benchmark", "dmeo"], "unknown benchmark 'dmeo' (did you mean: demo"),
    (["--task-types", "Retreival"], "unknown task type 'Retreival' (did you mean: Retrieval"),
])
def test_unknown_names_exit_2_with_suggestions(tmp_path, capsys, args, fragment):
    code, _, err = run_cmteb(capsys, "--model", "hash", *args, "--output-dir", str(tmp_path))
    assert code == 2 and fragment in _one_error_line(err)
    assert not any(tmp_path.iterdir())


def test_model_folder_without_weights_exits_2(tmp_path, capsys):
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}", encoding="utf-8")
    code, _, err = run_cmteb(capsys, "--model", str(folder), "--tasks", "DemoSTS",
                             "--output-dir", str(tmp_path / "out"))
    assert code == 2 and f"model folder {folder}: no weights" in _one_error_line(err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("model", "task", "problem"), [
    ("NaNOnSTS", "DemoSTS", "model {name} on task DemoSTS: encode() returned NaN or inf in 1 of"),
    ("InfOnSTS", "DemoSTS", "model {name} on task DemoSTS: encode() returned NaN or inf in 1 of"),
    ("ExtraRowOnSTS", "DemoSTS", "model {name} on task DemoSTS: encode() returned shape"),
    ("ShrinkingDimOnRetrieval", "DemoRetrieval",
     "model {name} on task DemoRetrieval: embedding dimension changed from 256 to 255"),
    ("MultiLineErrorOnSTS", "DemoSTS",
     "task DemoSTS: OSError: could not reach the device. Check the driver, then retry."),
])
def test_failing_model_fails_the_task_before_scoring(tmp_path, capsys, model, task, problem):
    name = f"tests.reliability.fault_models:{model}"
    code, stdout, err = run_cmteb(capsys, "--model", name, "--tasks", "DemoRetrieval,DemoSTS",
                                  "--output-dir", str(tmp_path))
    assert code == 1  # a task failure: the other task ran and was written
    line = _one_error_line(err)
    assert problem.format(name=name.replace(":", ".")) in line, line
    assert sorted(result_files(tmp_path)) == sorted({"DemoRetrieval", "DemoSTS"} - {task})
    assert "FAILED" in stdout


def _finished_sts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run_cmteb(capsys, "--model", "hash", "--tasks", "DemoSTS", "--output-dir", str(tmp_path))[0] == 0
    return result_files(tmp_path)["DemoSTS"]


def _rewrite(path: Path, change) -> None:
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda d: d.pop("cmteb"), "not a cmteb result file (no 'cmteb' block)"),
    (lambda d: d.update(task_name="DemoRetrieval"), "holds a result of task 'DemoRetrieval'"),
    (lambda d: d.update(scores={"test": {"main_score": 0.5}}), "malformed 'scores'"),
    (lambda d: d["cmteb"].update(protocol="mteb"), "different protocol ('mteb' != 'cmteb')"),
    # a nested setting is named down to its entry, with plain values (no enum reprs)
    (lambda d: d["cmteb"]["model"].update(adapter="transformers"),
     "different model.adapter ('transformers' != 'hash')"),
])
def test_unusable_existing_result_is_reported_not_replaced(tmp_path, capsys, change, fragment):
    path = _finished_sts(tmp_path, capsys)
    _rewrite(path, change)
    before = path.read_bytes()
    code, _, err = run_cmteb(capsys, "--model", "hash", "--tasks", "DemoSTS", "--output-dir", str(tmp_path))
    line = _one_error_line(err)
    assert code == 2 and fragment in line and str(path) in line, line
    assert path.read_bytes() == before


def test_cmteb_errors_are_one_line_whatever_they_wrap():
    from cmteb.errors import TaskError, UserError

    assert str(UserError("cannot load:\n  the hub said no\r\n")) == "cannot load: the hub said no"
    assert str(TaskError("a\u2028b")) == "a b"
