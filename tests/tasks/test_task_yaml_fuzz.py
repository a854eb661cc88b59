"""Fuzz the task YAML loader: malformed input is a one-line UserError naming the file, never a
traceback, and a task file with a definite fault never yields a task or a result."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from task_yaml_helpers import TINY_TASK

from cmteb.config import RunConfig, TaskSelection
from cmteb.errors import UserError
from cmteb.pipeline.run import run
from cmteb.tasks.registry import TaskRegistry, load_task_file
from cmteb.tasks.spec import TaskSpec

VALID: dict[str, Any] = yaml.safe_load(TINY_TASK)
FIELDS = [*VALID, "languages", "prompt", "version", "sts", "retrieval", "min_score", "cmteb", "mteb"]
YAML_SYNTAX = list(":-[]{},#&*!|>'\"%@`?\t\n\r ") + ["\ufeff", "\x00", "\u2028", "<<", "---"]
# YAML features that once escaped as tracebacks (complex keys, merge keys, control characters,
# impossible values) and other rarely used ones; the fuzz inserts them at random places.
SNIPPETS = ["\n? [a, b]\n: c\n", "\n{[x]: 1}: y\n", "\n<<: {a: 1}\n", "\nx: !!binary AA==\n",
            "\nx: !!set {a}\n", "\nx: !!omap [a]\n", "\nversion: 2001-13-45\n", "\nx: &a [*a]\n",
            "\nversion: " + "9" * 5000 + "\n", "\nx: !!python/name:os.system\n", "\nx: a\x1fb\n"]


def _load(text: bytes) -> TaskSpec:
    """Write `text` as a task file and load it as `--task-file` does; checks any error's form."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Tiny.yaml"
        path.write_bytes(text)
        try:
            return load_task_file(path)[0]
        except UserError as exc:
            message = str(exc)
            assert "\n" not in message and "\r" not in message
            assert message.startswith(str(path))
            raise


@st.composite
def mutated_text(draw: st.DrawFn) -> bytes:
    """The valid tiny task with a few random edits: YAML syntax characters, cut or repeated lines."""
    lines = TINY_TASK.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["insert", "delete", "repeat", "swap"]))
        if edit == "insert":
            at = draw(st.integers(0, len(lines[i])))
            piece = draw(st.sampled_from(YAML_SYNTAX) | st.sampled_from(SNIPPETS) | st.text(max_size=3))
            lines[i] = lines[i][:at] + piece + lines[i][at:]
        elif edit == "delete":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + lines[i][at + draw(st.integers(1, 5)):]
        elif edit == "repeat":
            lines.insert(i, lines[i])
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines).encode("utf-8", "surrogatepass")


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=4), inner,
                                        max_size=3), max_leaves=10)
documents = (st.dictionaries(st.sampled_from(FIELDS), values, max_size=8) | values).map(
    lambda doc: yaml.safe_dump(doc, allow_unicode=True).encode("utf-8"))


@settings(max_examples=250, deadline=None)
@given(text=mutated_text() | documents | st.binary(max_size=60))
def test_any_input_is_a_task_or_one_user_error(text: bytes) -> None:
    try:
        spec = _load(text)
    except UserError:
        return
    assert isinstance(spec, TaskSpec)


REMOVE = object()


@pytest.mark.parametrize("snippet", [*SNIPPETS, "\nx: " + "[" * 1000 + "\n"],
                         ids=lambda s: repr(s[:16]))
def test_each_rare_yaml_feature_is_one_user_error(snippet: str) -> None:
    with pytest.raises(UserError):
        _load((TINY_TASK + snippet).encode())


def _with(doc: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """A deep copy of `doc` with `value` at `path` (REMOVE: the key removed)."""
    out = yaml.safe_load(yaml.safe_dump(doc))
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is REMOVE:
        node.pop(path[-1])
    else:
        node[path[-1]] = value
    return out


NESTED = [[], ["dataset"], ["splits"], ["main_score"]]
REQUIRED = ["name", "type", "description", "dataset", "splits", "main_score"]
WRONG_VALUES = {  # field path -> values no lax coercion turns into a valid one
    ("name",): st.sampled_from(["", "-x", "a b", "ü"]) | st.lists(st.text(max_size=2), max_size=2),
    ("type",): st.text(max_size=12).filter(lambda t: t not in {
        "Retrieval", "Reranking", "STS", "PairClassification", "Classification", "Clustering"}),
    ("description",): st.integers() | st.lists(st.integers(), max_size=2),
    ("version",): st.sampled_from(["one", "1.5", [1], {"v": 1}]),
    ("splits", "cmteb"): st.sampled_from([[], "test", 3, ["test", "test"], [None]]),
    ("main_score", "mteb"): st.none().map(lambda _: [1]) | st.integers(),
    ("dataset",): st.sampled_from([{}, {"subset": "zh"}, "data/Tiny", []]),
}


@st.composite
def broken_task(draw: st.DrawFn) -> bytes:
    """A task file with exactly one definite fault (it can never be a valid task)."""
    fault = draw(st.sampled_from(["unknown key", "duplicate key", "wrong value", "missing field",
                                  "syntax", "not utf-8", "not a mapping"]))
    if fault == "unknown key":
        where = draw(st.sampled_from(NESTED))
        key = draw(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10).filter(
            lambda k: k not in TaskSpec.model_fields and k not in {"cmteb", "mteb", "path", "revision",
                                                                   "subset", "local"}))
        return yaml.safe_dump(_with(VALID, [*where, key], draw(scalars | st.just("x")))).encode()
    if fault == "duplicate key":
        key = draw(st.sampled_from(REQUIRED))
        return (TINY_TASK + yaml.safe_dump({key: VALID[key]})).encode()
    if fault == "wrong value":
        path, strategy = draw(st.sampled_from(list(WRONG_VALUES.items())))
        return yaml.safe_dump(_with(VALID, list(path), draw(strategy))).encode()
    if fault == "missing field":
        return yaml.safe_dump(_with(VALID, [draw(st.sampled_from(REQUIRED))], REMOVE)).encode()
    if fault == "syntax":
        lines = TINY_TASK.splitlines(keepends=True)
        i = draw(st.integers(0, len(lines)))
        lines.insert(i, draw(st.sampled_from(["key: [open\n", "key: {open\n", "key: \"open\n",
                                              "\tkey: tab\n", "- item\n", "]\n", "*undefined\n"])))
        return "".join(lines).encode()
    if fault == "not utf-8":
        return TINY_TASK.encode() + draw(st.sampled_from([b"x: \xff\n", b"x: \xc3\x28\n"]))
    return yaml.safe_dump(draw(st.lists(scalars, max_size=3) | scalars)).encode()


@settings(max_examples=200, deadline=None)
@given(text=broken_task())
def test_a_definite_fault_never_yields_a_task_or_a_result(text: bytes) -> None:
    with pytest.raises(UserError):
        _load(text)
    with tempfile.TemporaryDirectory() as tmp:
        task_file, out = Path(tmp) / "Tiny.yaml", Path(tmp) / "out"
        task_file.write_bytes(text)
        config = RunConfig(models=("hash",), selection=TaskSelection(task_files=(task_file,)),
                           output_dir=out)
        with pytest.raises(UserError):
            run(config)
        assert not out.exists()


@settings(max_examples=100, deadline=None)
@given(text=mutated_text() | documents)
def test_registry_folder_with_a_fuzzed_file_loads_or_names_it(text: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sts" / "Tiny.yaml"
        path.parent.mkdir()
        path.write_bytes(text)
        try:
            TaskRegistry(Path(tmp))
        except UserError as exc:
            assert "\n" not in str(exc) and str(path.resolve()) in str(exc)


def test_the_unmutated_file_is_valid() -> None:
    """The fault generators start from a valid task: without a fault it loads."""
    assert _load(TINY_TASK.encode()).name == "Tiny"
    assert _load(yaml.safe_dump(VALID).encode()).name == "Tiny"
