"""`evaluate_split` reaches every type's evaluator; each writes the main scores the task YAMLs name
(both protocols) as floats in 0-1 (STS: -1..1), and JSON-serialisable samples. Retrieval searches
with the searcher it is given."""

from __future__ import annotations

import json

import pytest

from cmteb.data.types import (
    ClusteringSet,
    ClusteringSets,
    LabeledTexts,
    PairLabels,
    PairScores,
    RerankGroup,
    RerankGroups,
    RetrievalCorpus,
)
from cmteb.evaluators.dispatch import evaluate_split
from cmteb.evaluators.search import get_searcher
from cmteb.evaluators.search.exact import top_k_cosine
from cmteb.protocols import PROTOCOLS
from tests.conftest import make_spec
from tests.evaluators._support import FakeEmbed

CASES = {
    "STS": (PairScores(["a|1", "b|1", "c|1"], ["a|2", "c|2", "b|2"], [4.0, 1.0, 2.5]),
            ["cosine_spearman"]),
    "PairClassification": (PairLabels(["a|1", "b|1", "c|1"], ["a|2", "c|2", "b|2"], [1, 0, 0]),
                           ["cosine_ap", "max_accuracy"]),
    "Classification": (LabeledTexts(["a|e", "b|e"], [0, 1], ["a|1", "b|1", "a|2", "b|2"],
                                    [0, 1, 0, 1]), ["accuracy"]),
    "Clustering": (ClusteringSets([ClusteringSet(["a|1", "a|2", "b|1", "b|2"], list("aabb"))]),
                   ["v_measure"]),
    "Retrieval": (RetrievalCorpus({"d1": "a|1", "d2": "b|1"}, {"q1": "a|q"}, {"q1": {"d1": 1}}),
                  ["ndcg_at_10"]),
    "Reranking": (RerankGroups([RerankGroup("a|q", ["a|1"], ["b|1", "c|1"])]),
                  ["map", "map_at_1000"]),
}


@pytest.mark.parametrize("task_type", list(CASES))
@pytest.mark.parametrize("protocol", ["cmteb", "mteb"])
def test_every_type_writes_its_main_scores(task_type, protocol):
    data, main_keys = CASES[task_type]
    result = evaluate_split(make_spec(task_type), data, FakeEmbed(), PROTOCOLS[protocol],
                            get_searcher("exact"))
    for key in main_keys:
        low = -1 if task_type == "STS" else 0  # a correlation may be negative
        assert isinstance(result.metrics[key], float) and low <= result.metrics[key] <= 1
    json.dumps([result.metrics, result.samples, result.run], allow_nan=False)
    assert all(isinstance(values, list) for values in result.samples.values())


def test_retrieval_searches_with_the_searcher_it_is_given():
    calls = []

    def searcher(queries, docs, k):
        calls.append((queries.shape, docs.shape, k))
        return top_k_cosine(queries, docs, k)

    data, _ = CASES["Retrieval"]
    spec = make_spec("Retrieval")
    passed = evaluate_split(spec, data, FakeEmbed(), PROTOCOLS["cmteb"], searcher)
    assert len(calls) == 1 and calls[0][2] == max(spec.retrieval.k_values) + 1
    exact = evaluate_split(spec, data, FakeEmbed(), PROTOCOLS["cmteb"], get_searcher("exact"))
    assert passed.metrics == exact.metrics
