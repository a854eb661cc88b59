"""The real C-MTEB folders in ../shared/data load with the documented row counts (skip if absent),
and the bundled demo tasks load through their YAML files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmteb.data.loader import load_task_data
from cmteb.errors import UserError
from cmteb.tasks.spec import TaskSpec
from cmteb.tasks.yaml_loader import parse_model
from tests.data.helpers import SHARED_DATA, make_spec

needs_shared = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"{SHARED_DATA} not present")

# folder, type, split, rows (sets for clustering), train rows (classification)
FOLDERS = [
    ("ATEC", "STS", "test", 20_000, None),
    ("AFQMC", "STS", "validation", 4_316, None),
    ("PAWSX", "STS", "test", 2_000, None),
    ("STSB", "STS", "test", 1_361, None),
    ("Ocnli", "PairClassification", "validation", 1_847, None),
    ("TNews", "Classification", "validation", 10_000, 53_360),
    ("Waimai", "Classification", "test", 1_000, 8_000),
    ("OnlineShopping", "Classification", "test", 1_000, 8_000),
    ("CLSClusteringS2S", "Clustering", "test", 10, None),
    ("ThuNewsClusteringS2S", "Clustering", "test", 10, None),
]


def _load(name: str, task_type: str, split: str):
    spec = make_spec(task_type, name=name, splits=(split,))
    return load_task_data(spec, yaml_path=SHARED_DATA / "x.yaml", required_splits=[split],
                          optional_splits=[], data_dir=SHARED_DATA)


def _rows(data) -> int:
    for attr in ("sentence1", "text", "sets"):
        if hasattr(data, attr):
            return len(getattr(data, attr))
    raise AssertionError(type(data))


@pytest.mark.shared
@needs_shared
@pytest.mark.parametrize(("name", "task_type", "split", "rows", "train_rows"), FOLDERS)
def test_shared_folder_row_counts(name: str, task_type: str, split: str, rows: int,
                                  train_rows: int | None) -> None:
    data = _load(name, task_type, split)
    assert data.source.kind == "local" and data.source.location == str(SHARED_DATA / name)
    assert _rows(data.splits[split]) == rows
    if train_rows is not None:
        assert len(data.splits[split].train_text) == train_rows
    if task_type == "Clustering":
        assert all(len(s.sentences) >= 1_000 for s in data.splits[split].sets)


@pytest.mark.shared
@needs_shared
def test_shared_qbqtc_retrieval_repeats_judgements_and_is_refused() -> None:
    """Its qrels judge 3 (query, passage) pairs twice (issue 16: an error naming file and line)."""
    with pytest.raises(UserError, match=r"qrels/dev\.tsv:\d+: qrel \('q\d+', 'd\d+'\) is given "
                                        r"twice \(first at .*qrels/dev\.tsv:\d+\)"):
        _load("QBQTCDevRetrieval", "Retrieval", "dev")


@pytest.mark.shared
@needs_shared
def test_shared_qbqtc_retrieval_with_one_judgement_per_pair(tmp_path: Path) -> None:
    folder = tmp_path / "QBQTCDevRetrieval"
    (folder / "qrels").mkdir(parents=True)
    source = SHARED_DATA / "QBQTCDevRetrieval"
    for name in ("corpus.jsonl", "queries.jsonl"):
        (folder / name).write_bytes((source / name).read_bytes())
    lines = (source / "qrels" / "dev.tsv").read_text(encoding="utf-8").splitlines()
    last = {tuple(line.split("\t")[:2]): line for line in lines[1:]}
    (folder / "qrels" / "dev.tsv").write_text("\n".join([lines[0], *last.values()]) + "\n")
    assert len(lines) - 1 - len(last) == 3
    spec = make_spec("Retrieval", name="QBQTCDevRetrieval", splits=("dev",))
    split = load_task_data(spec, yaml_path=tmp_path / "x.yaml", required_splits=["dev"],
                           optional_splits=[], data_dir=tmp_path).splits["dev"]
    assert (len(split.queries), len(split.corpus)) == (14_414, 19_317)
    assert set(split.qrels) == set(split.queries)


@pytest.mark.shared
@needs_shared
def test_shared_fingerprint_is_stable() -> None:
    first = _load("AFQMC", "STS", "validation").source.fingerprint
    assert first == _load("AFQMC", "STS", "validation").source.fingerprint


DEMO = Path(__file__).parents[2] / "tasks" / "demo"


@pytest.mark.skipif(not list(DEMO.glob("*.yaml")), reason="no bundled demo tasks")
@pytest.mark.parametrize("yaml_path", sorted(DEMO.glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_demo_tasks_load(yaml_path: Path) -> None:
    spec = parse_model(yaml_path, TaskSpec)
    data = load_task_data(spec, yaml_path=yaml_path, required_splits=spec.all_splits(),
                          optional_splits=[], data_dir=None)
    assert data.source.kind == "local" and set(data.splits) == set(spec.all_splits())
