"""Retrieval: exact chunked top-k search, hand-calculated metrics, identical-id protocols, and
parity with the pinned mteb's AbsTaskRetrieval under both identical-id settings."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from cmteb.data.types import RetrievalCorpus
from cmteb.evaluators import retrieval
from cmteb.evaluators.search.exact import top_k_cosine, top_k_of_block, unit_rows
from cmteb.protocols import PROTOCOLS
from tests.conftest import make_spec
from tests.evaluators._support import FakeEmbed, make_mteb_task, run_mteb_task


@pytest.mark.parametrize("k", [1, 4, 7, 13, 50])
def test_chunked_top_k_is_exact_including_ties(k):
    """Docs are scaled basis vectors (many duplicates): every score is exact, ties everywhere."""
    rng = np.random.default_rng(0)
    basis = rng.integers(0, 6, size=23)
    docs = np.eye(6, dtype=np.float32)[basis] * rng.uniform(0.5, 2, size=(23, 1)).astype("float32")
    queries = rng.standard_normal((10, 6)).astype(np.float32)
    scores, positions = top_k_cosine(queries, docs, k, query_chunk=3, corpus_chunk=5)
    full = unit_rows(queries)[:, basis]
    pos = np.tile(np.arange(23), (10, 1))
    expected = np.lexsort((pos, -full), axis=1)[:, : min(k, 23)]
    np.testing.assert_array_equal(positions, expected)
    np.testing.assert_array_equal(scores, np.take_along_axis(full, expected, axis=1))


def test_top_k_matches_a_full_sort_at_random_sizes_with_ties_at_the_boundary():
    """Random corpus sizes, k and chunk sizes; scaled basis vectors against small-integer queries,
    so scores are exact and ties at the k-th place are common (both search entry points)."""
    rng = np.random.default_rng(1)
    for _ in range(60):
        n_docs, n_queries, dim = int(rng.integers(1, 300)), int(rng.integers(1, 20)), int(rng.integers(1, 6))
        k = int(rng.integers(1, 320))
        basis = rng.integers(0, dim, size=n_docs)
        docs = np.eye(dim, dtype=np.float32)[basis] * rng.uniform(0.5, 2, size=(n_docs, 1)).astype("float32")
        queries = rng.integers(-2, 3, size=(n_queries, dim)).astype(np.float32)
        full = unit_rows(queries)[:, basis]
        expected = np.lexsort((np.tile(np.arange(n_docs), (n_queries, 1)), -full), axis=1)[:, :k]
        scores, positions = top_k_cosine(queries, docs, k, query_chunk=int(rng.integers(1, 9)),
                                         corpus_chunk=int(rng.integers(1, 100)))
        np.testing.assert_array_equal(positions, expected)
        np.testing.assert_array_equal(scores, np.take_along_axis(full, expected, axis=1))
        np.testing.assert_array_equal(top_k_of_block(full, k)[1], expected)


ANGLES = {"dA": 0, "dB": 30, "dC": 60, "dD": 90}


def angle_embed(texts, role):
    return np.asarray([[math.cos(math.radians(ANGLES.get(t, 0))),
                        math.sin(math.radians(ANGLES.get(t, 0)))] for t in texts], "float32")


def test_two_queries_by_hand():
    # both queries point at 0 degrees: ranking dA, dB, dC, dD
    data = RetrievalCorpus(corpus={d: d for d in ANGLES}, queries={"q1": "q", "q2": "q"},
                           qrels={"q1": {"dA": 1}, "q2": {"dB": 1, "dC": 1, "dD": 0}})
    spec = make_spec("Retrieval", retrieval={"k_values": [1, 3, 10]})
    result = retrieval.evaluate(spec, data, angle_embed, PROTOCOLS["mteb"])
    m = result.metrics
    ndcg_q2 = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert result.samples == {"ndcg_at_10": pytest.approx([1.0, ndcg_q2]),
                              "query_ids": ["q1", "q2"]}
    assert m["ndcg_at_10"] == round((1 + ndcg_q2) / 2, 5)
    assert (m["recall_at_1"], m["accuracy"], m["precision_at_3"]) == (0.5, 0.5, 0.5)
    assert (m["mrr_at_1"], m["mrr_at_3"]) == (0.5, 0.75)
    assert m["map_at_3"] == round((1 + (1 / 2 + 2 / 3) / 2) / 2, 5)
    assert m["hit_rate_at_1"] == 0.5 and m["hit_rate_at_3"] == 1.0
    assert list(result.run["q1"]) == ["dA", "dB", "dC", "dD"]
    assert "protocol_variants" not in m


def test_exact_ties_rank_by_doc_id_descending():
    vectors = {"x": [1, 0], "y": [0, 1], "q": [1, 0]}

    def embed(texts, role):
        return np.asarray([vectors[t] for t in texts], dtype=np.float32)

    data = RetrievalCorpus(corpus={"dA": "x", "dB": "x", "dC": "y"}, queries={"q": "q"},
                           qrels={"q": {"dA": 1}})
    spec = make_spec("Retrieval", retrieval={"k_values": [1, 3]})
    result = retrieval.evaluate(spec, data, embed, PROTOCOLS["mteb"])
    assert list(result.run["q"]) == ["dB", "dA", "dC"]
    assert (result.metrics["mrr_at_1"], result.metrics["mrr_at_3"]) == (0.0, 0.5)


def test_identical_ids_follow_each_protocol():
    # query "dA" finds its own doc first; BEIR (cmteb) skips it and still keeps k hits
    data = RetrievalCorpus(corpus={d: d for d in ANGLES}, queries={"dA": "q"},
                           qrels={"dA": {"dB": 1}})
    spec = make_spec("Retrieval", retrieval={"k_values": [1, 2]})
    cmteb = retrieval.evaluate(spec, data, angle_embed, PROTOCOLS["cmteb"])
    mteb = retrieval.evaluate(spec, data, angle_embed, PROTOCOLS["mteb"])
    assert list(cmteb.run["dA"]) == ["dB", "dC"]
    assert list(mteb.run["dA"]) == ["dA", "dB"]
    assert cmteb.metrics["mrr_at_2"] == 1.0 and mteb.metrics["mrr_at_2"] == 0.5
    assert cmteb.metrics["protocol_variants"] == {"mteb": _without_variants(mteb.metrics)}
    assert mteb.metrics["protocol_variants"] == {"cmteb": _without_variants(cmteb.metrics)}


def _without_variants(metrics):
    return {k: v for k, v in metrics.items() if k != "protocol_variants"}


def retrieval_data() -> RetrievalCorpus:
    corpus = {f"d{i:02d}": f"t{i % 8}|doc{i}" for i in range(40)}
    queries = {f"q{j}": f"t{j % 8}|query{j}" for j in range(12)}
    queries["d05"] = "t5|query-that-is-also-a-doc-id"
    queries["q-none"] = "t1|no qrels"
    qrels = {f"q{j}": {f"d{(j % 8) + 8 * r:02d}": 1 + r % 2 for r in range(1 + j % 3)}
             for j in range(12)}
    qrels["q4"]["d02"] = 0
    qrels["d05"] = {"d13": 1, "d21": 1}
    return RetrievalCorpus(corpus=corpus, queries=queries, qrels=qrels)


def mteb_retrieval(data: RetrievalCorpus, ignore_identical_ids: bool) -> dict:
    from datasets import Dataset
    from mteb.abstasks.retrieval import AbsTaskRetrieval
    from mteb.abstasks.retrieval_dataset_loaders import RetrievalSplitData

    split = RetrievalSplitData(
        queries=Dataset.from_list([{"id": q, "text": t} for q, t in data.queries.items()]),
        corpus=Dataset.from_list([{"id": d, "text": t, "title": ""}
                                  for d, t in data.corpus.items()]),
        relevant_docs={q: dict(rels) for q, rels in data.qrels.items()},
        top_ranked=None,
    )
    task = make_mteb_task(AbsTaskRetrieval, "Retrieval", "ndcg_at_10",
                          ignore_identical_ids=ignore_identical_ids)
    return run_mteb_task(task, {"default": {"test": split}})


@pytest.mark.parametrize("protocol", ["cmteb", "mteb"])
def test_matches_mteb_under_both_identical_id_rules(protocol):
    """No duplicate passages here: mteb's torch matmul can score identical rows 1 ulp apart
    depending on their column, so its order of duplicates is float noise."""
    data = retrieval_data()
    embed = FakeEmbed()
    result = retrieval.evaluate(make_spec("Retrieval"), data, embed, PROTOCOLS[protocol])
    ours = _without_variants(result.metrics)
    theirs = mteb_retrieval(data, PROTOCOLS[protocol].ignore_identical_ids)
    assert {k for k in set(theirs) - set(ours) if not k.startswith("nauc_")} == {"main_score"}
    for key, value in ours.items():
        assert value == pytest.approx(theirs[key], abs=1e-12), key
    other = "mteb" if protocol == "cmteb" else "cmteb"
    variant = result.metrics["protocol_variants"][other]
    other_mteb = mteb_retrieval(data, PROTOCOLS[other].ignore_identical_ids)
    assert variant == pytest.approx({k: other_mteb[k] for k in variant}, abs=1e-12)
    assert variant != ours
    assert embed.calls[0][0] == "query" and "t1|no qrels" not in embed.calls[0][1]
    assert embed.calls[1] == ("document", [data.corpus[d] for d in sorted(data.corpus)[::-1]])
    assert result.samples["query_ids"] == [q for q in data.queries if q != "q-none"]
    json.dumps([result.metrics, result.samples, result.run])
