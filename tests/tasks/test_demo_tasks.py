"""Bundled demo tasks: local-only, in the local data layout, big enough to score, loadable."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from cmteb.tasks.registry import TaskRegistry

DEMO = ["DemoRetrieval", "DemoReranking", "DemoSTS", "DemoPairClassification",
        "DemoClassification", "DemoClustering"]


def _rows(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines and all(line.strip() for line in lines), path
    return [json.loads(line) for line in lines]


def _folder(registry: TaskRegistry, name: str) -> Path:
    spec = registry.get(name)
    assert spec.dataset.path is None and spec.dataset.revision is None
    assert spec.dataset.local == f"data/{name}"
    folder = registry.origin(name).parent / spec.dataset.local
    assert folder.is_dir()
    assert spec.splits.cmteb == spec.splits.mteb
    return folder


def test_demo_tasks_are_bundled_local_only(registry: TaskRegistry) -> None:
    for name in DEMO:
        assert registry.origin(name).parent.name == "demo"
        _folder(registry, name)


def test_demo_retrieval(registry: TaskRegistry) -> None:
    folder = _folder(registry, "DemoRetrieval")
    (split,) = registry.get("DemoRetrieval").splits.cmteb
    corpus = _rows(folder / "corpus.jsonl")
    queries = _rows(folder / "queries.jsonl")
    assert all(set(r) == {"_id", "title", "text"} for r in corpus)
    assert all(set(r) == {"_id", "text"} for r in queries)
    with (folder / "qrels" / f"{split}.tsv").open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t")
        assert next(reader) == ["query-id", "corpus-id", "score"]
        qrels = [(q, d, int(s)) for q, d, s in reader]
    doc_ids = {r["_id"] for r in corpus}
    query_ids = {r["_id"] for r in queries}
    assert len(doc_ids) == len(corpus) == 60 and len(query_ids) == len(queries) == 20
    assert {q for q, _, _ in qrels} == query_ids
    assert all(d in doc_ids and s > 0 for _, d, s in qrels)


def test_demo_reranking(registry: TaskRegistry) -> None:
    (split,) = registry.get("DemoReranking").splits.cmteb
    groups = _rows(_folder(registry, "DemoReranking") / f"{split}.jsonl")
    assert len(groups) == 10
    for g in groups:
        assert set(g) == {"query", "positive", "negative"}
        assert g["positive"] and g["negative"]
        assert not set(g["positive"]) & set(g["negative"])


def test_demo_sts(registry: TaskRegistry) -> None:
    spec = registry.get("DemoSTS")
    (split,) = spec.splits.cmteb
    rows = _rows(_folder(registry, "DemoSTS") / f"{split}.jsonl")
    assert len(rows) == 40
    assert all(set(r) == {"sentence1", "sentence2", "score"} for r in rows)
    scores = [r["score"] for r in rows]
    assert all(spec.sts.min_score <= s <= spec.sts.max_score for s in scores)
    assert len(set(scores)) >= 6  # graded, not binary


def test_demo_pair_classification(registry: TaskRegistry) -> None:
    (split,) = registry.get("DemoPairClassification").splits.cmteb
    rows = _rows(_folder(registry, "DemoPairClassification") / f"{split}.jsonl")
    assert len(rows) == 40
    assert all(set(r) == {"sentence1", "sentence2", "label"} for r in rows)
    assert Counter(r["label"] for r in rows) == {0: 20, 1: 20}


def test_demo_classification(registry: TaskRegistry) -> None:
    spec = registry.get("DemoClassification")
    folder = _folder(registry, "DemoClassification")
    train = _rows(folder / f"{spec.classification.train_split}.jsonl")
    (split,) = spec.splits.cmteb
    test = _rows(folder / f"{split}.jsonl")
    for rows in (train, test):
        assert all(set(r) == {"text", "label"} and isinstance(r["label"], int) for r in rows)
    per_label = Counter(r["label"] for r in train)
    assert sorted(per_label) == sorted(Counter(r["label"] for r in test)) == [0, 1, 2]
    assert min(per_label.values()) >= 32 > spec.classification.samples_per_label
    assert not {r["text"] for r in train} & {r["text"] for r in test}


def test_demo_clustering(registry: TaskRegistry) -> None:
    (split,) = registry.get("DemoClustering").splits.cmteb
    sets = _rows(_folder(registry, "DemoClustering") / f"{split}.jsonl")
    assert len(sets) == 2
    for s in sets:
        assert set(s) == {"sentences", "labels"}
        assert len(s["sentences"]) == len(s["labels"]) >= 30
        assert 3 <= len(set(s["labels"])) <= 4


def test_demo_sentences_are_unique_per_file(registry: TaskRegistry) -> None:
    for name in DEMO:
        for path in _folder(registry, name).rglob("*.jsonl"):
            texts = [json.dumps(r, ensure_ascii=False) for r in _rows(path)]
            assert len(texts) == len(set(texts)), path


def test_demo_tasks_load_with_the_data_loader(registry: TaskRegistry) -> None:
    loader = pytest.importorskip("cmteb.data.loader")
    for name in DEMO:
        spec = registry.get(name)
        data = loader.load_task_data(spec, yaml_path=registry.origin(name),
                                     required_splits=spec.eval_splits("cmteb"),
                                     optional_splits=[], data_dir=None)
        assert list(data.splits) == spec.eval_splits("cmteb")
        assert data.source.kind == "local"
