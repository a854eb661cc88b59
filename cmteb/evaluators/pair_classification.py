"""PairClassification: best-threshold accuracy / F1 and average precision per similarity,
exactly as mteb 2's `AbsTaskPairClassification._compute_metrics`.

Both sentence columns are embedded in one `symmetric` call. Similarities per pair: `cosine`
and the negated `manhattan` / `euclidean` distances (all higher = similar), `dot` (np.vecdot,
bitwise equal to mteb's per-row np.dot); `similarity_*` repeats cosine (mteb's model-similarity
keys; cmteb models score by cosine). For each: `accuracy`, `f1`, `precision`, `recall`, `ap`;
then `max_<metric>` over the five. Samples per pair: `label`, and the similarities `cosine`,
`manhattan`, `euclidean` (negated distances) and `dot`, so a paired test can recompute any
`<similarity>_ap` / `_accuracy` and the `max_` metrics over the pairs.

Best thresholds come from `sklearn.metrics.confusion_matrix_at_thresholds` (TP/FP/TN counts at
every distinct score, strictest first), which reproduces mteb's hand loop exactly:
- a threshold never splits tied scores (one count per distinct score);
- the last distinct score (everything predicted positive) is excluded, as is "nothing positive"
  (never a candidate in the counts);
- accuracy = (TP + TN) / n; precision = TP / (TP + FP), recall = TP / P and
  F1 = 2 * p * r / (p + r) from the same integer counts in the same operation order, so the
  floats are bitwise equal; F1 only where TP > 0;
- ties between equal maxima go to the strictest threshold (first argmax), as mteb's strict `>`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sklearn.metrics import average_precision_score, confusion_matrix_at_thresholds

from cmteb.evaluators import SplitResult
from cmteb.evaluators.sts import pair_similarities

if TYPE_CHECKING:
    from cmteb.data.types import PairLabels
    from cmteb.models.embedder import TaskEmbedder
    from cmteb.protocols import Protocol
    from cmteb.tasks.spec import TaskSpec

_METRICS = ("accuracy", "f1", "precision", "recall", "ap")


def best_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Best accuracy over thresholds between distinct scores; higher score = positive."""
    tns, _, _, tps, _ = confusion_matrix_at_thresholds(labels, scores)
    candidates = (tps[:-1] + tns[:-1]) / len(labels)
    return float(candidates.max()) if len(candidates) else 0.0


def best_f1(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
    """(f1, precision, recall) at the best-F1 threshold; (0, 0, 0) when no cut has a TP."""
    _, fps, _, tps, _ = confusion_matrix_at_thresholds(labels, scores)
    tps, fps = tps[:-1], fps[:-1]
    hit = tps > 0
    if not hit.any():
        return 0.0, 0.0, 0.0
    precision = tps / (tps + fps)  # every distinct score holds >= 1 pair: no zero division
    recall = tps / labels.sum()
    with np.errstate(invalid="ignore"):
        f1 = np.where(hit, 2 * precision * recall / (precision + recall), 0.0)
    best = int(np.argmax(f1))
    return float(f1[best]), float(precision[best]), float(recall[best])


def threshold_metrics(scores: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """accuracy, f1, precision, recall, ap of one (n,) similarity (higher = similar), labels 0/1."""
    scores = np.asarray(scores, dtype=np.float64)
    f1, precision, recall = best_f1(scores, labels)
    return {
        "accuracy": best_accuracy(scores, labels),
        "f1": f1,
        "precision": precision,
        "recall": recall,
        "ap": float(average_precision_score(labels, scores)),
    }


def embed_inputs(spec: TaskSpec, data: PairLabels) -> list[list[str]]:
    """The texts of each embed call `evaluate` makes (one: both sides)."""
    return [[*data.sentence1, *data.sentence2]]


def evaluate(
    spec: TaskSpec, data: PairLabels, embed: TaskEmbedder, protocol: Protocol
) -> SplitResult:
    """Score one pair-classification split; identical under both protocols."""
    n = len(data.label)
    emb = embed([*data.sentence1, *data.sentence2], "symmetric")
    emb1, emb2 = emb[:n], emb[n:]
    labels = np.asarray(data.label, dtype=np.int64)
    sims = pair_similarities(emb1, emb2)
    # distances enter negated (higher = similar): the ranking mteb gets by sorting them ascending
    by_name = {"similarity": sims["cosine"], **sims, "dot": np.vecdot(emb1, emb2)}
    metrics: dict[str, float] = {}
    for name, scores in by_name.items():
        for key, value in threshold_metrics(scores, labels).items():
            metrics[f"{name}_{key}"] = value
    for key in _METRICS:
        metrics[f"max_{key}"] = max(metrics[f"{name}_{key}"] for name in by_name)
    samples: dict[str, list] = {
        name: np.asarray(by_name[name], dtype=np.float64).tolist()
        for name in ("cosine", "manhattan", "euclidean", "dot")
    }
    samples["label"] = [int(x) for x in data.label]
    return SplitResult(metrics=metrics, samples=samples)
