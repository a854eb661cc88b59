"""STS: correlation between embedding similarity and gold similarity, as mteb 2's `AbsTaskSTS`.

Both sentence columns are embedded in one `symmetric` call. Per pair: cosine similarity and the
negated Manhattan / Euclidean distances (scikit-learn's paired functions, as mteb computes them);
gold scores are normalised to [0, 1] with `(s - min_score) / (max_score - min_score)` from the
spec. Metrics: `{cosine,manhattan,euclidean}_{pearson,spearman}` (scipy), plus `pearson` and
`spearman` = the cosine values (mteb's model-similarity keys; cmteb models score by cosine).
Samples: `cosine` (per-pair similarity) and `gold` (per-pair normalised gold score).

A correlation with a constant column is undefined: when a model gives every pair the same
similarity (e.g. the same vector for every text) the task fails with a TaskError saying so
(scipy's ConstantInputWarning is not shown; no NaN score is ever stored).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import ConstantInputWarning, pearsonr, spearmanr
from sklearn.metrics.pairwise import (
    paired_cosine_distances,
    paired_euclidean_distances,
    paired_manhattan_distances,
)

from cmteb.errors import TaskError
from cmteb.evaluators import SplitResult

if TYPE_CHECKING:
    from cmteb.data.types import PairScores
    from cmteb.models.embedder import TaskEmbedder
    from cmteb.protocols import Protocol
    from cmteb.tasks.spec import TaskSpec


def pair_similarities(emb1: np.ndarray, emb2: np.ndarray) -> dict[str, np.ndarray]:
    """(n, dim) x (n, dim) -> {name: (n,) similarity}, higher = more similar, as mteb computes."""
    return {
        "cosine": 1 - paired_cosine_distances(emb1, emb2),
        "manhattan": -paired_manhattan_distances(emb1, emb2),
        "euclidean": -paired_euclidean_distances(emb1, emb2),
    }


def embed_inputs(spec: TaskSpec, data: PairScores) -> list[list[str]]:
    """The texts of each embed call `evaluate` makes (one: both sides)."""
    return [[*data.sentence1, *data.sentence2]]


def evaluate(
    spec: TaskSpec, data: PairScores, embed: TaskEmbedder, protocol: Protocol
) -> SplitResult:
    """Score one STS split; identical under both protocols."""
    n = len(data.score)
    emb = embed([*data.sentence1, *data.sentence2], "symmetric")
    low, high = spec.sts.min_score, spec.sts.max_score
    gold = [(s - low) / (high - low) for s in data.score]
    metrics: dict[str, float] = {}
    sims = pair_similarities(emb[:n], emb[n:])
    for name, values in sims.items():
        # float64 copies of the float32 values, exactly what mteb's `.tolist()` hands to scipy
        values = np.asarray(values, dtype=np.float64)
        if n > 0 and np.all(values == values[0]):
            raise TaskError(f"task {spec.name}: the model gives all {n} pairs the same {name} "
                            f"similarity ({values[0]:.6g}), so their correlation with the gold "
                            "scores is undefined (does it return the same vector for every text?)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConstantInputWarning)  # constant gold: NaN, refused later
            metrics[f"{name}_pearson"] = float(pearsonr(gold, values)[0])
            metrics[f"{name}_spearman"] = float(spearmanr(gold, values)[0])
    metrics["pearson"] = metrics["cosine_pearson"]
    metrics["spearman"] = metrics["cosine_spearman"]
    samples = {"cosine": np.asarray(sims["cosine"], dtype=np.float64).tolist(), "gold": gold}
    return SplitResult(metrics=metrics, samples=samples)
