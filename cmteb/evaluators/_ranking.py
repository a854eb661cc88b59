"""Ranking metrics shared by retrieval and reranking: pytrec_eval, named and rounded as mteb 2's
`calculate_retrieval_scores` + `make_score_dict`.

Policy: a query's documents are ranked by score descending, ties by doc id descending
(trec_eval's order, which mteb's own MRR also follows). Relevant = qrels value >= 1.
- `ndcg_at_k`, `map_at_k`, `recall_at_k`, `precision_at_k`, `hit_rate_at_k`: mean over the
  scored queries of trec_eval's `ndcg_cut`, `map_cut`, `recall`, `P`, `success`, rounded to 5 dp.
- `mrr_at_k`: mean of 1/rank of the first relevant document if that rank is <= k, else 0
  (from trec_eval's uncut `recip_rank`; not rounded, as mteb).
- `accuracy` = `recall_at_1` (mteb's key).
mteb's nAUC abstention metrics (`nauc_*`) are not computed: they are hand-written in mteb (no
library implements them) and no C-MTEB table uses them.
"""

from __future__ import annotations

import pytrec_eval

_CUT_MEASURES = {
    "ndcg_cut": "ndcg_at",
    "map_cut": "map_at",
    "recall": "recall_at",
    "P": "precision_at",
    "success": "hit_rate_at",
}
SAMPLE_K = 10  # per-query values always include ndcg_cut_10, the samples' key


def ranking_metrics(
    run: dict[str, dict[str, float]], qrels: dict[str, dict[str, int]], k_values: list[int]
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """(mteb-named metrics, pytrec_eval's per-query values) of `run` against `qrels`.

    Queries are those of `run` that have qrels (pytrec_eval's rule; callers pass matching sets).
    """
    cuts = ",".join(str(k) for k in sorted({*k_values, SAMPLE_K}))
    measures = {f"{measure}.{cuts}" for measure in _CUT_MEASURES} | {"recip_rank"}
    per_query = pytrec_eval.RelevanceEvaluator(qrels, measures).evaluate(run)
    n = len(per_query)

    def mean_of(measure: str, k: int) -> float:
        # the same left-to-right sum over the same query order as mteb, then its 5-dp rounding
        return round(sum(values[f"{measure}_{k}"] for values in per_query.values()) / n, 5)

    metrics: dict[str, float] = {}
    for measure in ("ndcg_cut", "map_cut", "recall"):
        metrics.update({f"{_CUT_MEASURES[measure]}_{k}": mean_of(measure, k) for k in k_values})
    if 1 in k_values:
        metrics["accuracy"] = metrics["recall_at_1"]
    metrics.update({f"precision_at_{k}": mean_of("P", k) for k in k_values})
    metrics.update(mrr_at(per_query, k_values))
    metrics.update({f"hit_rate_at_{k}": mean_of("success", k) for k in k_values})
    return metrics, per_query


def mrr_at(per_query: dict[str, dict[str, float]], k_values: list[int]) -> dict[str, float]:
    """`mrr_at_k` from trec_eval's reciprocal rank: rank r = 1/rr counts only when r <= k."""
    rrs = [values["recip_rank"] for values in per_query.values()]
    out = {}
    for k in k_values:
        within = [rr if rr > 0 and round(1 / rr) <= k else 0.0 for rr in rrs]
        out[f"mrr_at_{k}"] = sum(within) / len(within)
    return out
