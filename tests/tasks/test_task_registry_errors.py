"""A bad task or benchmark file stops the registry with one line naming the file (and line)."""

from __future__ import annotations

from pathlib import Path

import pytest
from task_yaml_helpers import TINY_TASK, write

from cmteb.errors import UserError
from cmteb.tasks.registry import TaskRegistry, load_task_file

BENCH = """\
name: tiny-bench
description: One task.
tasks: [Tiny]
"""


def _error(root: Path) -> str:
    with pytest.raises(UserError) as info:
        TaskRegistry(root)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_valid_tree_loads(tmp_path: Path) -> None:
    write(tmp_path, "sts/Tiny.yaml", TINY_TASK)
    write(tmp_path, "benchmarks/tiny.yaml", BENCH + "aliases: [TB]\n")
    registry = TaskRegistry(tmp_path)
    assert registry.names() == ["Tiny"]
    assert registry.get("tiny").sts.max_score == 5  # defaults filled in
    assert registry.benchmark("tb").name == "tiny-bench"
    assert registry.origin("Tiny") == (tmp_path / "sts" / "Tiny.yaml").resolve()


def test_unknown_key(tmp_path: Path) -> None:
    path = write(tmp_path, "sts/Tiny.yaml", TINY_TASK + "colour: red\n")
    message = _error(tmp_path)
    assert message.startswith(f"{path.resolve()}: colour:")
    assert "Extra inputs are not permitted" in message


def test_unknown_nested_key(tmp_path: Path) -> None:
    path = write(tmp_path, "sts/Tiny.yaml", TINY_TASK + "sts:\n  max_scor: 4\n")
    assert _error(tmp_path).startswith(f"{path.resolve()}: sts.max_scor:")


def test_duplicate_key_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "sts/Tiny.yaml", TINY_TASK + "type: Retrieval\n")
    line = TINY_TASK.count("\n") + 1
    assert _error(tmp_path) == (
        f"{path.resolve()}:{line}: duplicate key 'type' (first on line 2)")


def test_missing_required_field(tmp_path: Path) -> None:
    text = TINY_TASK.replace("main_score:\n  cmteb: cosine_spearman\n  mteb: cosine_spearman\n", "")
    path = write(tmp_path, "sts/Tiny.yaml", text)
    assert _error(tmp_path) == f"{path.resolve()}: main_score: Field required"


def test_missing_protocol_value(tmp_path: Path) -> None:
    path = write(tmp_path, "sts/Tiny.yaml", TINY_TASK.replace("  mteb: [test]\n", ""))
    assert _error(tmp_path) == f"{path.resolve()}: splits.mteb: Field required"


@pytest.mark.parametrize(("text", "line"), [
    ("name: Tiny\n  type: STS\n", 2),
    ("name: Tiny\ntype: STS\ndescription: \"unterminated\n", 4),
    ("name: Tiny\n\ttype: STS\n", 2),
])
def test_bad_yaml_syntax_names_the_line(tmp_path: Path, text: str, line: int) -> None:
    path = write(tmp_path, "sts/Tiny.yaml", text)
    assert _error(tmp_path).startswith(f"{path.resolve()}:{line}: ")


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "sts/Tiny.yaml", "- name: Tiny\n")
    assert _error(tmp_path).startswith(f"{path.resolve()}: expected a mapping")


def test_wrong_type_folder(tmp_path: Path) -> None:
    path = write(tmp_path, "retrieval/Tiny.yaml", TINY_TASK)
    message = _error(tmp_path)
    assert message.startswith(f"{path.resolve()}: type STS does not belong in retrieval/")


def test_file_name_must_be_the_task_name(tmp_path: Path) -> None:
    path = write(tmp_path, "sts/Other.yaml", TINY_TASK)
    assert _error(tmp_path) == f"{path.resolve()}: file name must be Tiny.yaml (the task's name)"


def test_task_defined_twice(tmp_path: Path) -> None:
    write(tmp_path, "sts/Tiny.yaml", TINY_TASK)
    write(tmp_path, "demo/Tiny.yaml", TINY_TASK)
    message = _error(tmp_path)
    assert "task 'Tiny' is also defined in" in message


def test_settings_block_of_another_type(tmp_path: Path) -> None:
    path = write(tmp_path, "sts/Tiny.yaml", TINY_TASK + "clustering:\n  seed: 1\n")
    message = _error(tmp_path)
    assert message.startswith(f"{path.resolve()}: ")
    assert "`clustering` settings do not apply to a STS task" in message


def test_unknown_task_type(tmp_path: Path) -> None:
    path = write(tmp_path, "demo/Tiny.yaml", TINY_TASK.replace("type: STS", "type: Sts"))
    assert _error(tmp_path).startswith(f"{path.resolve()}: type: Input should be")


def test_sts_scale_must_be_ordered(tmp_path: Path) -> None:
    write(tmp_path, "sts/Tiny.yaml", TINY_TASK + "sts:\n  min_score: 5\n  max_score: 5\n")
    assert "max_score 5.0 must exceed min_score 5.0" in _error(tmp_path)


def test_split_listed_twice(tmp_path: Path) -> None:
    text = TINY_TASK.replace("  mteb: [test]\n", "  mteb: [test, test]\n")
    write(tmp_path, "sts/Tiny.yaml", text)
    assert "splits: Value error, mteb: a split is listed twice" in _error(tmp_path)


def test_dataset_needs_a_source(tmp_path: Path) -> None:
    write(tmp_path, "sts/Tiny.yaml", TINY_TASK.replace("  local: data/Tiny\n", "  subset: zh\n"))
    assert "dataset needs `path` (hub) or `local`" in _error(tmp_path)


def test_yaml_under_a_data_folder_is_not_a_task(tmp_path: Path) -> None:
    write(tmp_path, "demo/Tiny.yaml", TINY_TASK)
    write(tmp_path, "demo/data/Tiny/notes.yaml", "this: [is not a task\n")
    assert TaskRegistry(tmp_path).names() == ["Tiny"]


def test_benchmark_unknown_task(tmp_path: Path) -> None:
    write(tmp_path, "sts/Tiny.yaml", TINY_TASK)
    path = write(tmp_path, "benchmarks/tiny.yaml", BENCH.replace("[Tiny]", "[Tiny, Tinny]"))
    assert _error(tmp_path).startswith(f"{path.resolve()}: unknown task 'Tinny'")


def test_benchmark_lists_a_task_twice(tmp_path: Path) -> None:
    write(tmp_path, "sts/Tiny.yaml", TINY_TASK)
    path = write(tmp_path, "benchmarks/tiny.yaml", BENCH.replace("[Tiny]", "[Tiny, Tiny]"))
    assert _error(tmp_path) == f"{path.resolve()}: task 'Tiny' is listed twice"


@pytest.mark.parametrize("splits", ["{Tiny: [dev]}", "{Tiny: []}", "{Other: [test]}"])
def test_benchmark_splits_must_narrow_member_splits(tmp_path: Path, splits: str) -> None:
    write(tmp_path, "sts/Tiny.yaml", TINY_TASK)
    path = write(tmp_path, "benchmarks/tiny.yaml", BENCH + f"splits: {splits}\n")
    assert _error(tmp_path).startswith(f"{path.resolve()}: splits: ")


def test_benchmark_unknown_key(tmp_path: Path) -> None:
    write(tmp_path, "sts/Tiny.yaml", TINY_TASK)
    path = write(tmp_path, "benchmarks/tiny.yaml", BENCH + "protocl: mteb\n")
    assert _error(tmp_path).startswith(f"{path.resolve()}: protocl: Extra inputs")


def test_benchmark_name_collision_is_case_insensitive(tmp_path: Path) -> None:
    write(tmp_path, "sts/Tiny.yaml", TINY_TASK)
    write(tmp_path, "benchmarks/a.yaml", BENCH)
    path = write(tmp_path, "benchmarks/b.yaml", BENCH.replace("tiny-bench", "other") +
                 "aliases: [TINY-BENCH]\n")
    assert _error(tmp_path) == f"{path.resolve()}: benchmark name 'TINY-BENCH' is defined twice"


def test_unknown_names_suggest_close_ones(tmp_path: Path) -> None:
    write(tmp_path, "sts/Tiny.yaml", TINY_TASK)
    write(tmp_path, "benchmarks/tiny.yaml", BENCH)
    registry = TaskRegistry(tmp_path)
    with pytest.raises(UserError, match=r"unknown task 'Tiyn' \(did you mean: Tiny\?\)"):
        registry.get("Tiyn")
    with pytest.raises(UserError, match=r"did you mean: tiny-bench\?"):
        registry.benchmark("tiny-bnch")
    with pytest.raises(UserError, match="unknown task type 'Retreival'"):
        registry.by_types(["Retreival"])


def test_task_file_outside_the_registry(tmp_path: Path) -> None:
    path = write(tmp_path, "anywhere/whatever-name.yaml", TINY_TASK)
    spec, origin = load_task_file(path)
    assert spec.name == "Tiny" and origin == path.resolve()
    with pytest.raises(UserError, match="task file not found"):
        load_task_file(tmp_path / "missing.yaml")
    bad = write(tmp_path, "anywhere/bad.yaml", TINY_TASK + "extra: 1\n")
    with pytest.raises(UserError, match=r"bad\.yaml: extra: Extra inputs"):
        load_task_file(bad)


@pytest.mark.parametrize("value", ["true", "false", "'1'", "1.0", "0"])
def test_version_must_be_a_positive_integer(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, "sts/Tiny.yaml", TINY_TASK + f"version: {value}\n")
    assert _error(tmp_path).startswith(f"{path.resolve()}: version: ")


@pytest.mark.parametrize(("block", "fragment"), [
    ("expected_size:\n  dev: {pairs: 3}\n", "'dev' is not a split of this task"),
    ("expected_size:\n  test: {rows: 3}\n", "test: give pairs (non-negative integers)"),
    ("expected_size:\n  test: {pairs: true}\n", "expected_size.test.pairs: Input should be"),
    ("expected_size:\n  test: {pairs: -1}\n", "test: give pairs"),
])
def test_expected_size_must_fit_the_task(tmp_path: Path, block: str, fragment: str) -> None:
    path = write(tmp_path, "sts/Tiny.yaml", TINY_TASK + block)
    message = _error(tmp_path)
    assert message.startswith(f"{path.resolve()}: ") and fragment in message


def test_fast_loading_needs_a_subset(tmp_path: Path) -> None:
    text = TINY_TASK.replace("  local: data/Tiny\n", "  path: org/x\n  revision: abc\n"
                             "  fast_loading: true\n")
    write(tmp_path, "sts/Tiny.yaml", text)
    assert "fast_loading needs the `subset`" in _error(tmp_path)
