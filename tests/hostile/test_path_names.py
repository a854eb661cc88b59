"""Issue 16 item 1: a name that becomes a path component never leads out of the output folder.

The names are checked in one place (`cmteb.results.names`), which every path builder calls:
results (`task_result.result_path`, hence locks, samples and runs), model folders
(`ResolvedModel.folder_name`) and baseline files (`baseline_path`).
"""

from __future__ import annotations

import shutil

import pytest

import cmteb
from cmteb.compare.baseline import baseline_path
from cmteb.errors import UserError
from cmteb.results import names
from cmteb.results.task_result import result_path
from cmteb.tasks.registry import tasks_root
from tests.compare.helpers import copy_results, edit_json
from tests.hostile.helpers import cli, one_error_line, snapshot
from tests.tasks.task_yaml_helpers import TINY_TASK

BAD = {
    "": "is empty", ".": "starts with '.'", "..": "contains '..'", "a..b": "contains '..'",
    "../x": "contains '..'", "/abs/dir": "is an absolute path", "a/b": "contains a path separator",
    "a\\b": "contains a path separator", ".hidden": "starts with '.'",
    "a\nb": "control character U+000A", "a\x00b": "control character U+0000",
    "a\u202eb": "control character U+202E", "x" * 201: "is longer than 200 bytes",
}
GOOD = ["hash-v1", "local-0123456789ab", "no_revision_available", "v1.5", "bge-large-zh-v1.5",
        "模型", "a b", "x" * 200]


@pytest.mark.parametrize("name", list(BAD))
def test_each_unsafe_name_is_refused_with_its_reason(name):
    assert names.problem(name) is not None and BAD[name] in names.problem(name)
    with pytest.raises(UserError, match="must stay inside the output folder"):
        names.path_component(name, "--revision")


@pytest.mark.parametrize("name", GOOD)
def test_ordinary_names_pass_unchanged(name):
    assert names.problem(name) is None and names.path_component(name, "x") == name


def test_a_model_name_keeps_its_org_slash_as_double_underscore():
    assert names.model_folder("BAAI/bge-large-zh-v1.5") == "BAAI__bge-large-zh-v1.5"
    for bad in ("/abs", "org/..", "../x", ".", "a\\b", ""):
        with pytest.raises(UserError):
            names.model_folder(bad)


def test_every_path_builder_checks_its_names(tmp_path):
    with pytest.raises(UserError, match="revision '../x' contains '..'"):
        result_path(tmp_path, "hash", "../x", "DemoSTS")
    with pytest.raises(UserError, match="task name"):
        result_path(tmp_path, "hash", "hash-v1", "../../DemoSTS")
    with pytest.raises(UserError, match="baseline name '../evil' contains '..'"):
        baseline_path(tmp_path, "../evil", quick=False)


@pytest.mark.parametrize(("flags", "named"), [
    (["--revision", "../../escaped"], "--revision '../../escaped' contains '..'"),
    (["--name", "..", "--revision", "../../../x"], "--name '..' contains '..'"),
    (["--revision", "/some/dir"], "--revision '/some/dir' is an absolute path"),
    (["--revision", ""], "--revision '' is empty"),
    (["--name", "a\nb"], "--name 'a\\nb' contains the control character U+000A"),
])
def test_the_issues_run_commands_exit_2_and_write_nothing(tmp_path, capsys, flags, named):
    work = tmp_path / "work"
    (work / "out").mkdir(parents=True)
    if flags[-1] == "/some/dir":
        flags = [*flags[:-1], str(tmp_path / "some" / "dir")]
        named = f"--revision '{tmp_path / 'some' / 'dir'}' is an absolute path"
    code, _, err = cli(capsys, "run", "--model", "hash", "--tasks", "DemoSTS", *flags,
                       "--output-dir", work / "out", "--no-progress")
    assert code == 2 and named in one_error_line(err)
    assert sorted(snapshot(tmp_path)) == ["work", "work/out"]  # not even a lock file


def test_the_python_api_is_held_to_the_same_names(tmp_path):
    with pytest.raises(UserError, match="revision '../x' contains '..'"):
        cmteb.evaluate("hash", tasks=["DemoSTS"], revision="../x", output_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists() and list(tmp_path.iterdir()) == []


def test_a_task_file_whose_name_holds_dots_is_refused_before_any_work(tmp_path, capsys):
    task_file = tmp_path / "Tiny.yaml"
    task_file.write_text(TINY_TASK.replace("name: Tiny", "name: Tiny..x"), encoding="utf-8")
    shutil.copytree(tasks_root() / "demo" / "data" / "DemoSTS", tmp_path / "data" / "Tiny")
    code, _, err = cli(capsys, "run", "--model", "hash", "--task-file", task_file,
                       "--output-dir", tmp_path / "out", "--no-progress")
    assert code == 2 and "task name 'Tiny..x' contains '..'" in one_error_line(err)
    assert not (tmp_path / "out").exists()


def test_baseline_names_stay_in_the_baselines_folder(demo, tmp_path, capsys):
    results = copy_results(demo, tmp_path / "demo")
    before = snapshot(tmp_path)
    code, _, err = cli(capsys, "baseline", "save", results, "--baselines-dir", tmp_path / "bl",
                       "--name", "../../evil")
    assert code == 2 and "baseline name '../../evil' contains '..'" in one_error_line(err)
    assert snapshot(tmp_path) == before
    # a candidate recording a hostile model name cannot pick the baseline file either
    hostile = copy_results(results, tmp_path / "hostile")
    for path in hostile.glob("*.json"):
        if not path.name.endswith(".samples.json"):
            edit_json(path, lambda doc: doc["cmteb"]["model"].update(name="/etc/passwd"))
    before = snapshot(tmp_path)
    code, _, err = cli(capsys, "baseline", "check", hostile, "--baselines-dir", tmp_path / "bl")
    assert code == 2 and "baseline name '/etc/passwd' is an absolute path" in one_error_line(err)
    assert snapshot(tmp_path) == before
