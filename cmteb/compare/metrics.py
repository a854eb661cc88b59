"""Task main scores recomputed from per-sample values, vectorised over resamples.

Every function takes `values` of shape (batch, n) (one row per resample) and returns (batch,).
They reproduce the evaluators' definitions exactly, including ties:
- `mean_rows`: mean over samples (retrieval nDCG@10 per query, reranking AP per group,
  classification correctness per text, clustering v-measure per set).
- `spearman_rows`: Spearman correlation with the fixed gold scores (scipy's `spearmanr`:
  Pearson over average ranks).
- `ap_rows`: average precision against fixed 0/1 labels, as sklearn's
  `average_precision_score` (tied scores form one threshold: each positive gets the precision at
  the end of its tie group).
- `best_accuracy_rows`: the best accuracy over thresholds between distinct scores, as
  `cmteb.evaluators.pair_classification.best_accuracy` (the everything-positive cut excluded; 0
  when all scores tie).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def mean_rows(values: np.ndarray, fixed: np.ndarray | None = None) -> np.ndarray:
    return values.mean(axis=-1)


def spearman_rows(values: np.ndarray, gold: np.ndarray) -> np.ndarray:
    a = rankdata(values, axis=-1)
    b = rankdata(gold)
    a = a - a.mean(axis=-1, keepdims=True)
    b = b - b.mean()
    denominator = np.sqrt((a * a).sum(axis=-1) * (b * b).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return (a @ b) / denominator


def _tie_group_ends(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows sorted by score descending: (order, is_end, end) where `is_end[.., i]` marks the
    last position of a run of equal scores and `end[.., i]` is the end position of i's run."""
    order = np.argsort(-values, axis=-1, kind="stable")
    ranked = np.take_along_axis(values, order, axis=-1)
    n = ranked.shape[-1]
    is_end = np.ones_like(ranked, dtype=bool)
    is_end[..., :-1] = ranked[..., 1:] != ranked[..., :-1]
    positions = np.where(is_end, np.arange(n), n)
    end = np.minimum.accumulate(positions[..., ::-1], axis=-1)[..., ::-1]
    return order, is_end, end


def ap_rows(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    order, _, end = _tie_group_ends(values)
    ranked_labels = labels[order]
    true_positives = np.cumsum(ranked_labels, axis=-1)
    precision_at_end = np.take_along_axis(true_positives, end, axis=-1) / (end + 1)
    return (ranked_labels * precision_at_end).sum(axis=-1) / labels.sum()


def best_accuracy_rows(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    order, is_end, _ = _tie_group_ends(values)
    n = values.shape[-1]
    true_positives = np.cumsum(labels[order], axis=-1)
    predicted_positive = np.arange(1, n + 1)
    true_negatives = (n - labels.sum()) - (predicted_positive - true_positives)
    accuracy = (true_positives + true_negatives) / n
    is_end[..., -1] = False  # "everything positive" is not a candidate threshold
    return np.where(is_end, accuracy, 0.0).max(axis=-1)
