"""Quick mode: the documented, deterministic subsample per task type, and how the runner keeps
quick results apart from full ones."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

import cmteb
from cmteb.data.quick import QuickLimits, pick, quick_record, quick_subsample
from cmteb.data.types import (
    ClusteringSet,
    ClusteringSets,
    DataSource,
    LabeledTexts,
    PairLabels,
    PairScores,
    RerankGroup,
    RerankGroups,
    RetrievalCorpus,
    TaskData,
)

SMALL = QuickLimits(pairs=5, eval_texts=4, clustering_sets=2, texts_per_set=3, queries=3,
                    corpus=6, rerank_groups=2)
SOURCE = DataSource(kind="local", location="x", fingerprint="sha256:0")


def task(split) -> TaskData:
    return TaskData(splits={"test": split}, source=SOURCE)


def retrieval(order: int = 1) -> RetrievalCorpus:
    corpus = {f"d{i:02d}": f"passage {i}" for i in range(20)}
    queries = {f"q{i}": f"query {i}" for i in range(8)}
    qrels = {f"q{i}": {f"d{2 * i:02d}": 1, f"d{2 * i + 1:02d}": 0} for i in range(7)}  # q7 unjudged
    flip = (lambda d: dict(reversed(d.items()))) if order < 0 else dict
    return RetrievalCorpus(flip(corpus), flip(queries), flip(qrels))


def test_pick_is_the_documented_legacy_numpy_draw():
    assert pick(10, 3) == sorted(np.random.RandomState(42).permutation(10)[:3].tolist())
    assert pick(3, 5) == [0, 1, 2]


def test_pairs_capped_in_original_order_deterministically():
    rows = PairScores([f"a{i}" for i in range(12)], [f"b{i}" for i in range(12)],
                      [float(i) for i in range(12)])
    data = task(rows)
    first, second = quick_subsample(data, SMALL), quick_subsample(data, SMALL)
    kept = first.splits["test"]
    assert kept == second.splits["test"] and isinstance(kept, PairScores)
    assert len(kept.score) == 5 and kept.score == sorted(kept.score)
    assert [f"a{int(s)}" for s in kept.score] == kept.sentence1  # rows stay together
    assert data.splits["test"] is rows and len(rows.score) == 12  # input untouched
    assert first.notes == ["quick (quick-v1, seed 42): test: 5 of 12 pairs"]


def test_within_limits_is_kept_whole():
    labels = PairLabels(["a", "b"], ["c", "d"], [1, 0])
    assert quick_subsample(task(labels), SMALL).splits["test"] == labels


def test_classification_caps_eval_texts_and_keeps_train():
    data = LabeledTexts([f"t{i}" for i in range(10)], [i % 2 for i in range(10)],
                        [f"tr{i}" for i in range(50)], [i % 2 for i in range(50)])
    kept = quick_subsample(task(data), SMALL).splits["test"]
    assert len(kept.text) == 4 and kept.train_text == data.train_text
    assert all(kept.label[i] == int(t[1:]) % 2 for i, t in enumerate(kept.text))


def test_clustering_caps_sets_and_texts_per_set():
    sets = ClusteringSets([ClusteringSet([f"s{k}-{i}" for i in range(7)], [str(i % 2) for i in range(7)])
                           for k in range(4)])
    kept = quick_subsample(task(sets), SMALL).splits["test"]
    assert len(kept.sets) == 2 and all(len(s.sentences) == 3 for s in kept.sets)
    for one in kept.sets:
        assert [str(int(t.split("-")[1]) % 2) for t in one.sentences] == one.labels


def test_reranking_caps_groups():
    groups = RerankGroups([RerankGroup(f"q{i}", ["p"], ["n"]) for i in range(5)])
    assert len(quick_subsample(task(groups), SMALL).splits["test"].groups) == 2


def test_retrieval_keeps_judged_passages_and_a_fixed_corpus_slice():
    limits = replace(SMALL, corpus=10)
    kept = quick_subsample(task(retrieval()), limits).splits["test"]
    assert len(kept.queries) == 3 and set(kept.queries) == set(kept.qrels)
    assert "q7" not in kept.queries  # only judged queries are drawn
    judged = {d for rels in kept.qrels.values() for d in rels}
    assert len(judged) == 6 and judged <= set(kept.corpus)
    assert len(kept.corpus) == 10  # plus 4 other passages
    assert list(kept.corpus) == sorted(kept.corpus)  # the data's own order
    # ids, not file order, decide the sample
    reordered = quick_subsample(task(retrieval(order=-1)), limits).splits["test"]
    assert set(reordered.corpus) == set(kept.corpus) and set(reordered.queries) == set(kept.queries)


def test_quick_run_is_marked_and_kept_apart(tmp_path):
    full = cmteb.evaluate("hash", ["DemoSTS"], output_dir=tmp_path)
    quick = cmteb.evaluate("hash", ["DemoSTS"], output_dir=tmp_path, quick=True)
    assert full["DemoSTS"]["cmteb"]["quick"] is False
    assert full["DemoSTS"]["cmteb"]["quick_sample"] is None
    block = quick["DemoSTS"]["cmteb"]
    assert block["quick"] is True and block["quick_sample"] == quick_record()
    assert any(n.startswith("quick (quick-v1") for n in block["notes"])
    assert sorted(p.name for p in (tmp_path / "hash").iterdir()) == ["hash-v1", "hash-v1-quick"]
    written = json.loads((tmp_path / "hash" / "hash-v1-quick" / "DemoSTS.json").read_text())
    assert written["cmteb"]["quick"] is True


def test_default_limits_are_the_documented_ones():
    assert quick_record() == {"policy": "quick-v1", "seed": 42, "limits": {
        "pairs": 2000, "eval_texts": 2000, "clustering_sets": 10, "texts_per_set": 1000,
        "queries": 1000, "corpus": 10000, "rerank_groups": 1000}}
