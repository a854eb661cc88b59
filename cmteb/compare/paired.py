"""The paired test of one task: a randomization (permutation) test of the main-score difference.

Null hypothesis: per sample (pair, query, text, set), the baseline's and the candidate's outputs
are exchangeable. Each resample swaps the two systems' outputs on a random subset of samples
and recomputes the task's main score for both mixed systems with the task's own statistic
(`cmteb.compare.metrics`): Spearman over all pairs for STS, AP or best accuracy over all pairs
for pair classification, the mean over samples where the score is a mean. The p-value is
two-sided, from `scipy.stats.permutation_test(permutation_type="samples")` with a seeded
generator; when 2^n <= resamples (e.g. 10 clustering sets) scipy enumerates every swap exactly.

Order-based scores (Spearman, AP, best accuracy) are computed on each system's within-split
ranks rather than raw similarities: the score of each system is unchanged (they depend on order
only), and swapped values share one scale, so a model whose cosines are merely shifted cannot
make the mixed systems look worse than either. A task with several splits scores each split
and averages, as its main score does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import permutation_test, rankdata

Score = Callable[[np.ndarray, np.ndarray | None], np.ndarray]
ELEMENTS_PER_BATCH = 4_000_000  # (resamples x samples x columns) floats held at once


@dataclass(frozen=True)
class Recipe:
    """How a main score is recomputed from per-sample values.

    `keys`: the sample columns the score reads (several for `max_*` pair metrics).
    `fixed`: the sample key both sides must share (STS gold, pair labels), or None.
    `score`: (batch, n) values, fixed (n,) -> (batch,); several `keys` take the max score.
    `ranks`: replace each side's values by within-split ranks first (module docstring).
    `unit`: what one sample is, for reports.
    """

    keys: tuple[str, ...]
    fixed: str | None
    score: Score
    ranks: bool
    unit: str
    description: str


@dataclass(frozen=True)
class PairedSamples:
    """Both systems' sample columns, aligned: `base`/`cand` (n, len(keys)); `fixed` (n,) or
    None; `segments`: (start, stop) of each split in the rows."""

    base: np.ndarray
    cand: np.ndarray
    fixed: np.ndarray | None
    segments: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class TestResult:
    base_score: float  # from samples, 0-1
    cand_score: float
    p_value: float
    n: int
    exact: bool


def task_score(values: np.ndarray, samples: PairedSamples, recipe: Recipe) -> np.ndarray:
    """(batch, n, columns) -> (batch,): mean over splits of the max over columns of the score."""
    per_split = []
    for start, stop in samples.segments:
        fixed = None if samples.fixed is None else samples.fixed[start:stop]
        columns = [recipe.score(values[:, start:stop, c], fixed) for c in range(values.shape[-1])]
        per_split.append(np.max(columns, axis=0))
    return np.mean(per_split, axis=0)


def within_split_ranks(values: np.ndarray, segments: tuple[tuple[int, int], ...]) -> np.ndarray:
    """(n, columns) -> the same shape, each column replaced by its average ranks per split."""
    ranked = np.empty_like(values, dtype=np.float64)
    for start, stop in segments:
        ranked[start:stop] = rankdata(values[start:stop], axis=0)
    return ranked


def paired_test(samples: PairedSamples, recipe: Recipe, *, resamples: int, seed: int) -> TestResult:
    """Two-sided randomization test of score(candidate) - score(baseline) (module docstring)."""
    base, cand = samples.base.astype(np.float64), samples.cand.astype(np.float64)
    if recipe.ranks:
        base = within_split_ranks(base, samples.segments)
        cand = within_split_ranks(cand, samples.segments)
    n = base.shape[0]

    def mixed(side: np.ndarray) -> np.ndarray:
        """side (batch, n) of 0 (baseline) / 1 (candidate) -> (batch, n, columns) values."""
        return np.where(side[..., None] == 0, base[None], cand[None])

    def statistic(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        x2, y2 = np.atleast_2d(x), np.atleast_2d(y)
        delta = task_score(mixed(y2), samples, recipe) - task_score(mixed(x2), samples, recipe)
        return delta if x.ndim > 1 else delta[0]

    batch = max(1, ELEMENTS_PER_BATCH // (n * base.shape[1]))
    result = permutation_test(
        (np.zeros(n), np.ones(n)), statistic, permutation_type="samples", vectorized=True,
        n_resamples=resamples, batch=batch, alternative="two-sided", rng=np.random.default_rng(seed),
    )
    observed = task_score(np.stack([base, cand]), samples, recipe)
    return TestResult(
        base_score=float(observed[0]), cand_score=float(observed[1]),
        p_value=float(min(1.0, result.pvalue)), n=n, exact=bool(resamples >= 2**n),
    )
