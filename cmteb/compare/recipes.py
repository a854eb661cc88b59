"""Which per-sample values recompute which main score (see "The paired test" in docs/regression-ci.md).

- STS `cosine_spearman`: `cosine` per pair and `gold`; Spearman over the pairs.
- PairClassification `<similarity>_ap` / `_accuracy`, `max_ap` / `max_accuracy`: the similarities
  per pair and `label`; AP / best-threshold accuracy over the pairs (max over similarities).
- Classification `accuracy`: mean of `correct` per text (else of `accuracy` per experiment).
- Clustering `v_measure`: mean of `v_measure` per set.
- Retrieval `ndcg_at_10` (any metric stored per query): mean over the queries.
- Reranking `map` / `map_at_1000`: mean of `ap` / `map_at_1000` per group.
Anything else (e.g. an `_f1` main score) has no recipe and is compared on the main score alone.
"""

from __future__ import annotations

from cmteb.compare import metrics
from cmteb.compare.paired import Recipe

PAIR_SIMILARITIES = ("cosine", "manhattan", "euclidean", "dot")
_MEAN_UNITS = {"Retrieval": "queries", "Reranking": "groups", "Classification": "texts",
               "Clustering": "sets"}
# (type, main score) -> sample keys whose mean is that score, first choice first
_MEAN_KEYS = {
    ("Reranking", "map"): ("ap",),
    ("Classification", "accuracy"): ("correct", "accuracy"),
    ("Clustering", "v_measure"): ("v_measure",),
}


def recipe_for(task_type: str, metric: str, keys: set[str]) -> Recipe | None:
    """The recipe for `metric` of a `task_type` task given the sample keys both sides have."""
    if task_type == "STS":
        if metric in ("cosine_spearman", "spearman") and {"cosine", "gold"} <= keys:
            return Recipe(("cosine",), "gold", metrics.spearman_rows, True, "pairs",
                          "Spearman over resampled pairs")
        return None
    if task_type == "PairClassification":
        return _pair_recipe(metric, keys)
    return _mean_recipe(task_type, metric, keys)


def _pair_recipe(metric: str, keys: set[str]) -> Recipe | None:
    similarity, _, measure = metric.rpartition("_")
    score = {"ap": metrics.ap_rows, "accuracy": metrics.best_accuracy_rows}.get(measure)
    similarity = "cosine" if similarity == "similarity" else similarity
    columns = PAIR_SIMILARITIES if similarity == "max" else (similarity,)
    if score is None or similarity not in (*PAIR_SIMILARITIES, "max"):
        return None
    if not {*columns, "label"} <= keys:
        return None
    label = "AP" if measure == "ap" else "best-threshold accuracy"
    over = f"max over {', '.join(columns)} of " if len(columns) > 1 else ""
    return Recipe(columns, "label", score, True, "pairs", f"{over}{label} over resampled pairs")


def _mean_recipe(task_type: str, metric: str, keys: set[str]) -> Recipe | None:
    candidates = _MEAN_KEYS.get((task_type, metric), (metric,))
    key = next((k for k in candidates if k in keys), None)
    if key is None or task_type not in _MEAN_UNITS:
        return None
    unit = "experiments" if (task_type, key) == ("Classification", "accuracy") else _MEAN_UNITS[task_type]
    return Recipe((key,), None, metrics.mean_rows, False, unit, f"mean of per-{unit[:-1]} `{key}`")
