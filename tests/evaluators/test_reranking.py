"""Reranking: the 2023 evaluator's map / mrr (re-implemented from mteb 1.1's RerankingEvaluator),
hand-calculated ties, and parity with the pinned mteb, which converts the groups to a retrieval
task over `top_ranked` candidates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from cmteb.data.types import RerankGroup, RerankGroups
from cmteb.evaluators import reranking
from cmteb.protocols import PROTOCOLS
from tests.conftest import make_spec
from tests.evaluators._support import FakeEmbed, fake_vectors, make_mteb_task, run_mteb_task


def rerank_data() -> RerankGroups:
    groups = []
    for g in range(10):
        topic, other = f"t{g % 4}", f"t{(g + 1) % 4}"
        positive = [f"{topic}|p{g}.{i}" for i in range(1 + g % 3)]
        negative = [f"{other}|n{g}.{i}" for i in range(3 + g % 2)] + [f"{topic}|hard{g}"]
        groups.append(RerankGroup(f"{topic}|query{g}", positive, negative))
    groups.insert(3, RerankGroup("t0|no negatives", ["t0|p"], []))
    groups.insert(6, RerankGroup("t1|no positives", [], ["t2|n"]))
    return RerankGroups(groups)


def mteb11_instance(query: str, group: RerankGroup) -> tuple[float, float]:
    """mteb 1.1 RerankingEvaluator._compute_metrics_instance (torch cos_sim, argsort, MRR@10)."""
    import torch

    docs = [*group.positive, *group.negative]
    is_relevant = [True] * len(group.positive) + [False] * len(group.negative)
    q = torch.nn.functional.normalize(torch.tensor(fake_vectors([query])), p=2, dim=1)
    d = torch.nn.functional.normalize(torch.tensor(fake_vectors(docs)), p=2, dim=1)
    pred_scores = torch.mm(q, d.T)[0]
    mrr = 0.0
    for rank, index in enumerate(torch.argsort(-pred_scores)[:10]):
        if is_relevant[index]:
            mrr = 1 / (rank + 1)
            break
    return float(average_precision_score(is_relevant, pred_scores.tolist())), mrr


def test_2023_map_and_mrr_match_mteb11_evaluator():
    data = rerank_data()
    result = reranking.evaluate(make_spec("Reranking"), data, FakeEmbed(), PROTOCOLS["cmteb"])
    kept = [g for g in data.groups if g.positive and g.negative]
    aps, mrrs = zip(*(mteb11_instance(g.query, g) for g in kept), strict=True)
    assert result.metrics["map"] == pytest.approx(float(np.mean(aps)), abs=1e-9)
    assert result.metrics["mrr"] == pytest.approx(float(np.mean(mrrs)), abs=1e-12)
    assert result.samples["ap"] == pytest.approx(list(aps), abs=1e-9)
    assert 0 < result.metrics["map"] < 1


def mteb_reranking(data: RerankGroups, monkeypatch) -> dict:
    from datasets import Dataset, DatasetDict
    from mteb.abstasks.text import reranking as mteb_module

    task = make_mteb_task(mteb_module.AbsTaskReranking, "Reranking", "map_at_1000")
    monkeypatch.setattr(mteb_module, "OLD_FORMAT_RERANKING_TASKS", [task.metadata.name])
    rows = Dataset.from_dict({"query": [g.query for g in data.groups],
                              "positive": [g.positive for g in data.groups],
                              "negative": [g.negative for g in data.groups]})
    task.transform_old_dataset_format(DatasetDict({"test": rows}))
    return run_mteb_task(task)


@pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning")
def test_retrieval_style_metrics_match_mteb(monkeypatch):
    """No duplicate candidates here: mteb's torch matmul can score identical rows 1 ulp apart
    depending on their column, so its order of duplicates is float noise (see test_ties_by_hand
    for cmteb's tie rule)."""
    data = rerank_data()
    embed = FakeEmbed()
    result = reranking.evaluate(make_spec("Reranking"), data, embed, PROTOCOLS["mteb"])
    theirs = mteb_reranking(data, monkeypatch)
    ours = {k: v for k, v in result.metrics.items() if k not in ("map", "mrr")}
    assert {k for k in set(theirs) - set(ours) if not k.startswith("nauc_")} == {"main_score"}
    for key, value in ours.items():
        assert value == pytest.approx(theirs[key], abs=1e-12), key
    kept = [g for g in data.groups if g.positive and g.negative]
    assert embed.calls[0] == ("query", [g.query for g in kept])
    assert embed.calls[1] == ("document", [t for g in kept for t in (*g.positive, *g.negative)])
    assert len(result.samples["ap"]) == len(kept)
    assert np.mean(result.samples["ap"]) == pytest.approx(result.metrics["map"], abs=1e-12)
    assert round(np.mean(result.samples["map_at_1000"]), 5) == pytest.approx(theirs["map_at_1000"])


def test_ties_by_hand():
    vectors = {"q": [1, 0], "p": [1, 1], "n2": [0, 1]}

    def embed(texts, role):
        return np.asarray([vectors[t] for t in texts], dtype=np.float32)

    # the positive "p" also appears as a negative: a tie at cosine 1/sqrt(2)
    data = RerankGroups([RerankGroup("q", ["p"], ["p", "n2"]), RerankGroup("q", ["p"], [])])
    result = reranking.evaluate(make_spec("Reranking"), data, embed, PROTOCOLS["cmteb"])
    m = result.metrics
    # sklearn AP groups the tie: precision 1/2 at recall 1
    assert result.samples == {"ap": [0.5], "map_at_1000": [0.5]}
    assert m["map"] == 0.5
    assert m["mrr"] == 1.0  # 2023: ties in candidate order, positive first
    assert m["mrr_at_10"] == 0.5  # mteb 2: doc id descending puts "negative_..." first
    assert m["map_at_1000"] == 0.5 and m["ndcg_at_10"] == round(1 / math.log2(3), 5)
