"""load_task_data: source order, required/optional splits, provenance and notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasets import Dataset

from cmteb.data.hub import MissingSplitError
from cmteb.data.loader import candidate_folders, load_task_data
from cmteb.data.marker import MARKER, write_marker
from cmteb.data.types import DataSource
from cmteb.tasks.spec import TaskSpec
from tests.data.helpers import FakeHub, make_spec, raises_user_error, write_jsonl


def _sts(folder: Path, split: str, sentence: str) -> None:
    write_jsonl(folder / f"{split}.jsonl", [{"sentence1": sentence, "sentence2": "b", "score": 1}])


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """(yaml path, data dir) with a bundled folder `data/ATEC` next to the YAML."""
    yaml_path = tmp_path / "tasks" / "sts" / "ATEC.yaml"
    _sts(yaml_path.parent / "data" / "ATEC", "test", "bundled")
    return yaml_path, tmp_path / "datadir"


def _load(spec, yaml_path, data_dir, required=("test",), optional=(), hub=None):
    return load_task_data(spec, yaml_path=yaml_path, required_splits=list(required),
                          optional_splits=list(optional), data_dir=data_dir, hub_source=hub)


def test_data_dir_wins(layout: tuple[Path, Path]) -> None:
    yaml_path, data_dir = layout
    _sts(data_dir / "ATEC", "test", "from data dir")
    spec = make_spec("STS", name="ATEC", local="data/ATEC")
    data = _load(spec, yaml_path, data_dir)
    assert data.splits["test"].sentence1 == ["from data dir"]
    assert data.source.kind == "local" and data.source.location == str(data_dir / "ATEC")
    assert data.source.fingerprint.startswith("sha256:") and data.source.revision is None
    assert data.notes == []


def test_bundled_folder_when_data_dir_lacks_the_task(layout: tuple[Path, Path]) -> None:
    yaml_path, data_dir = layout
    data_dir.mkdir()
    spec = make_spec("STS", name="ATEC", local="data/ATEC")
    data = _load(spec, yaml_path, data_dir)
    assert data.splits["test"].sentence1 == ["bundled"]
    assert any("no folder" in note for note in data.notes)


def test_hub_when_no_folder(layout: tuple[Path, Path]) -> None:
    yaml_path, data_dir = layout
    hub = FakeHub({None: {"test": Dataset.from_dict(
        {"sentence1": ["hub"], "sentence2": ["b"], "score": [0.5]})}})
    spec = make_spec("STS", name="PAWSX", path="mteb/PAWSX", revision="bd129d42")
    data = _load(spec, yaml_path, data_dir, hub=hub)
    assert data.splits["test"].sentence1 == ["hub"]
    assert data.source == DataSource(kind="hub", location="mteb/PAWSX", revision="bd129d42")


def test_missing_required_split_names_expected_path(layout: tuple[Path, Path]) -> None:
    yaml_path, data_dir = layout
    _sts(data_dir / "ATEC", "test", "x")
    spec = make_spec("STS", name="ATEC")
    message = raises_user_error(_load, spec, yaml_path, data_dir, required=("test", "validation"))
    assert f"ATEC: missing split file {data_dir / 'ATEC' / 'validation.jsonl'}" == message


def test_missing_optional_split_is_skipped_with_note(layout: tuple[Path, Path]) -> None:
    yaml_path, data_dir = layout
    _sts(data_dir / "ATEC", "test", "x")
    spec = make_spec("STS", name="ATEC")
    data = _load(spec, yaml_path, data_dir, required=("test",), optional=("validation", "test"))
    assert list(data.splits) == ["test"]
    assert any("'validation' skipped" in note for note in data.notes)


def test_hub_optional_and_required_missing_splits(layout: tuple[Path, Path]) -> None:
    yaml_path, _ = layout
    hub = FakeHub({None: {"test": Dataset.from_dict(
        {"sentence1": ["a"], "sentence2": ["b"], "score": [1]})}})
    spec = make_spec("STS", name="STSB")
    data = _load(spec, yaml_path, None, optional=("validation",), hub=hub)
    assert list(data.splits) == ["test"] and "optional split skipped" in data.notes[0]
    with pytest.raises(MissingSplitError):
        _load(spec, yaml_path, None, required=("validation",), hub=hub)


def test_no_source_at_all(layout: tuple[Path, Path]) -> None:
    yaml_path, data_dir = layout
    spec = make_spec("STS", name="Mine", path=None, local="data/Mine")
    message = raises_user_error(_load, spec, yaml_path, data_dir)
    assert "Mine: no local data" in message and str(data_dir / "Mine") in message


def test_malformed_data_fails_the_load(layout: tuple[Path, Path]) -> None:
    yaml_path, data_dir = layout
    (data_dir / "ATEC").mkdir(parents=True)
    (data_dir / "ATEC" / "test.jsonl").write_text("{oops\n")
    message = raises_user_error(_load, make_spec("STS", name="ATEC"), yaml_path, data_dir)
    assert f"{data_dir / 'ATEC' / 'test.jsonl'}:1: malformed JSON" in message


def test_candidate_folders_order(tmp_path: Path) -> None:
    spec = make_spec("STS", name="ATEC", local="data/ATEC")
    yaml_path = tmp_path / "tasks" / "ATEC.yaml"
    assert candidate_folders(spec, yaml_path=yaml_path, data_dir=tmp_path / "d") == [
        tmp_path / "d" / "ATEC", tmp_path / "tasks" / "data" / "ATEC"]


# ---- expected sizes: which data is checked (cmteb.data.loader docstring) ----

def _sized(name: str = "ATEC", **extra) -> TaskSpec:
    return make_spec("STS", name=name, **extra).model_copy(
        update={"expected_size": {"test": {"pairs": 2}}})


def test_hub_data_of_another_size_is_an_error(layout: tuple[Path, Path]) -> None:
    yaml_path, _ = layout
    hub = FakeHub({None: {"test": Dataset.from_dict(
        {"sentence1": ["a"], "sentence2": ["b"], "score": [1]})}})
    message = raises_user_error(_load, _sized("PAWSX"), yaml_path, None, hub=hub)
    assert message.startswith("PAWSX: split test: expected 2 pairs, found 1 in org/toy@abc123")


def test_local_subset_gets_a_note_not_an_error(layout: tuple[Path, Path]) -> None:
    yaml_path, data_dir = layout
    _sts(data_dir / "ATEC", "test", "only one pair")
    data = _load(_sized(), yaml_path, data_dir)
    assert data.splits["test"].sentence1 == ["only one pair"]
    assert any("differs from the hub dataset's size (split test: expected 2 pairs, found 1)"
               in note for note in data.notes)


def test_downloaded_folder_of_another_size_is_an_error(layout: tuple[Path, Path]) -> None:
    yaml_path, data_dir = layout
    spec = _sized()
    _sts(data_dir / "ATEC", "test", "x")
    write_marker(data_dir / "ATEC", spec, {"test": {"pairs": 2}})
    message = raises_user_error(_load, spec, yaml_path, data_dir)
    assert "ATEC: split test: expected 2 pairs, found 1" in message
    assert "written by cmteb download" in message
    other = spec.model_copy(update={"dataset": spec.dataset.model_copy(update={"revision": "r2"})})
    assert _load(other, yaml_path, data_dir).notes  # another revision's download: a note


def test_bundled_data_of_another_size_is_an_error(layout: tuple[Path, Path]) -> None:
    yaml_path, _ = layout
    message = raises_user_error(_load, _sized(local="data/ATEC"), yaml_path, None)
    assert "the bundled data" in message and "expected 2 pairs, found 1" in message


def test_unreadable_download_marker_names_the_file(layout: tuple[Path, Path]) -> None:
    yaml_path, data_dir = layout
    _sts(data_dir / "ATEC", "test", "x")
    (data_dir / "ATEC" / MARKER).write_text("{oops")
    message = raises_user_error(_load, _sized(), yaml_path, data_dir)
    assert message.startswith(f"{data_dir / 'ATEC' / MARKER}: unreadable download marker")
