"""Issue 15 item 1: every one of the 35 tasks loads from a copy of its hub repo's layout through the
real `datasets.load_dataset` (pointed at the copy with CMTEB_HUB_MIRROR) and gives the same data
as the local layout of the same rows; the real expected sizes catch data of another size."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest

from cmteb.data.hub import MIRROR_VAR
from cmteb.data.loader import load_task_data
from cmteb.data.types import TaskData
from cmteb.errors import UserError
from cmteb.tasks.registry import TaskRegistry
from cmteb.tasks.spec import TaskSpec
from tests.fixtures.hub.repos import FIXTURES

REGISTRY = TaskRegistry()
TASKS = REGISTRY.benchmark("C-MTEB-35").tasks


def fixture_spec(name: str) -> TaskSpec:
    """The task with the fixture's own (tiny) expected sizes."""
    return REGISTRY.get(name).model_copy(update={"expected_size": FIXTURES[name].sizes})


def _load(spec: TaskSpec, data_dir: Path | None) -> TaskData:
    return load_task_data(spec, yaml_path=REGISTRY.origin(spec.name),
                          required_splits=spec.all_splits(), optional_splits=[], data_dir=data_dir)


def test_there_is_a_fixture_for_each_of_the_35_tasks_with_its_repo_and_source() -> None:
    assert sorted(FIXTURES) == sorted(TASKS) and len(TASKS) == 35
    for name, fixture in FIXTURES.items():
        assert fixture.repo == REGISTRY.get(name).dataset.path
        assert len(fixture.source) > 40, name


@pytest.mark.parametrize("name", TASKS)
def test_hub_layout_loads_through_datasets_equal_to_local_layout(
    name: str, hub_mirror: Path, hub_local: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MIRROR_VAR, str(hub_mirror))
    spec = fixture_spec(name)
    hub = _load(spec, None)
    local = _load(spec, hub_local)
    assert hub.source.kind == "hub" and hub.source.location == spec.dataset.path
    assert hub.source.revision == spec.dataset.revision
    assert local.source.kind == "local"
    assert set(hub.splits) == set(spec.all_splits())
    assert hub.splits == local.splits
    assert any("hub mirror" in note for note in hub.notes)


@pytest.mark.parametrize("name", TASKS)
def test_real_expected_size_rejects_the_tiny_copy(
    name: str, hub_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MIRROR_VAR, str(hub_mirror))
    spec = REGISTRY.get(name)
    with pytest.raises(UserError) as info:
        _load(spec, None)
    message = str(info.value)
    split, counts = next(iter(FIXTURES[name].sizes.items()))
    assert message.startswith(f"{name}: split ")
    assert "expected" in message and "found" in message and spec.dataset.path in message


def test_fast_loading_keeps_only_the_subset_rows(hub_mirror: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MIRROR_VAR, str(hub_mirror))
    data = _load(fixture_spec("STS22"), None).splits["test"]
    repo = datasets.load_dataset(str(hub_mirror / "mteb/sts22-crosslingual-sts"), split="test")
    zh = [row for row in repo if row["lang"] == "zh"]
    assert len(repo) > len(zh) == len(data.sentence1)
    assert data.sentence1 == [row["sentence1"] for row in zh] and "" in data.sentence1
    massive = _load(fixture_spec("MassiveIntentClassification"), None).splits["test"]
    assert all(text.startswith("zh-CNtest") for text in massive.text)


def test_the_fast_loading_repo_has_no_zh_config(hub_mirror: Path) -> None:
    """What cmteb did before (load config `zh`) fails on the layout mteb loads."""
    with pytest.raises(ValueError, match="BuilderConfig 'zh' not found"):
        datasets.load_dataset(str(hub_mirror / "mteb/sts22-crosslingual-sts"), name="zh",
                              split="test")


def test_missing_repo_in_the_mirror_names_the_folder(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MIRROR_VAR, str(tmp_path))
    with pytest.raises(UserError, match=f"ATEC: no folder {tmp_path / 'C-MTEB/ATEC'}"):
        _load(fixture_spec("ATEC"), None)
