"""Reranking: rank each query's candidate list (positives, then negatives) by cosine.

Groups with no positive or no negative are skipped (mteb 1.1's RerankingEvaluator and mteb 2's
conversion of the old format both drop them). Queries are embedded with role `query`, candidates
with role `document`.

Two families of metrics over the same groups:
- 2023 evaluator (mteb 1.1, the published tables): `map` = mean over groups of sklearn's
  average_precision_score(is_relevant, cosine); `mrr` = MRR@10 of the candidates sorted by cosine,
  ties in candidate-list order (mteb 1.1 used torch.argsort, whose tie order is unspecified),
  scored by pytrec_eval's reciprocal rank over that top 10.
- mteb 2 (which runs C-MTEB reranking as retrieval over `top_ranked` candidates): the
  `_ranking.ranking_metrics` set (`map_at_1000`, `ndcg_at_10`, `mrr_at_10`, ...) of the run
  `{query: {doc_id: cosine}}` with mteb's doc ids `apositive_<q>_<i>` / `negative_<q>_<i>`, so
  trec_eval's tie order (doc id descending: negatives before positives) is mteb's. `mrr_at_10`
  differs from `mrr` only when a negative ties the best-scoring positive.
Candidate lists longer than max(k_values) are not cut (mteb keeps the top max(k_values)); no
metric at k <= max(k_values) depends on the rest. Samples per group (in group order): `ap` (the
2023 `map` is their mean) and, when 1000 is in k_values, `map_at_1000` (trec_eval's map_cut_1000,
whose mean is mteb 2's main score before its 5-dp rounding).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytrec_eval
from sklearn.metrics import average_precision_score

from cmteb.evaluators import SplitResult
from cmteb.evaluators._ranking import ranking_metrics
from cmteb.evaluators._search import unit_rows

if TYPE_CHECKING:
    from cmteb.data.types import RerankGroup, RerankGroups
    from cmteb.models.embedder import TaskEmbedder
    from cmteb.protocols import Protocol
    from cmteb.tasks.spec import TaskSpec

MRR_2023_AT = 10


def embed_inputs(spec: TaskSpec, data: RerankGroups) -> list[list[str]]:
    """The texts of each embed call `evaluate` makes: the usable groups' queries, then their
    candidates."""
    groups = usable_groups(data)
    return [[g.query for g in groups], [t for g in groups for t in (*g.positive, *g.negative)]]


def evaluate(
    spec: TaskSpec, data: RerankGroups, embed: TaskEmbedder, protocol: Protocol
) -> SplitResult:
    """Score one reranking split; identical under both protocols (both families stored)."""
    groups = usable_groups(data)
    queries = unit_rows(embed([g.query for g in groups], "query"))
    docs = unit_rows(embed([t for g in groups for t in (*g.positive, *g.negative)], "document"))
    scores, start = [], 0
    for i, group in enumerate(groups):
        size = len(group.positive) + len(group.negative)
        scores.append(docs[start : start + size] @ queries[i])
        start += size
    return score_groups(spec, groups, scores)


def usable_groups(data: RerankGroups) -> list[RerankGroup]:
    """The groups that have at least one positive and one negative (the others are skipped)."""
    return [g for g in data.groups if g.positive and g.negative]


def score_groups(spec: TaskSpec, groups: list[RerankGroup], scores: list[np.ndarray]) -> SplitResult:
    """Both metric families of `groups` ranked by `scores[i]` (one score per candidate of group i,
    positives first); whatever produced the scores (cosine, a cross-encoder, BM25)."""
    run, qrels, top10, aps = {}, {}, {}, []
    for i, group in enumerate(groups):
        qid, ids, relevant = _candidates(i, group)
        score = np.asarray(scores[i], dtype=np.float64)
        run[qid] = dict(zip(ids, score.tolist(), strict=True))
        qrels[qid] = dict(zip(ids, relevant.astype(int).tolist(), strict=True))
        aps.append(float(average_precision_score(relevant, score)))
        ranked = np.argsort(-score, kind="stable")[:MRR_2023_AT]
        # rank-valued scores make pytrec_eval follow this exact order
        top10[qid] = {ids[j]: float(-rank) for rank, j in enumerate(ranked)}
    metrics, per_query = ranking_metrics(run, qrels, list(spec.retrieval.k_values))
    reciprocal = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(top10)
    metrics["map"] = float(np.mean(aps))
    metrics["mrr"] = float(np.mean([v["recip_rank"] for v in reciprocal.values()]))
    samples: dict[str, list] = {"ap": aps}
    if 1000 in spec.retrieval.k_values:
        samples["map_at_1000"] = [per_query[qid]["map_cut_1000"] for qid in run]
    return SplitResult(metrics=metrics, samples=samples)


def _candidates(index: int, group: RerankGroup) -> tuple[str, list[str], np.ndarray]:
    """(query id, candidate doc ids, is_relevant bool array) in mteb 2's naming."""
    qid = f"query{index}"
    ids = [f"apositive_{qid}_{i:05d}" for i in range(len(group.positive))]
    ids += [f"negative_{qid}_{i:05d}" for i in range(len(group.negative))]
    return qid, ids, np.arange(len(ids)) < len(group.positive)
