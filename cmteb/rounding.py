"""The one rounding rule for every score cmteb shows: run summary, leaderboard and compare.

The rule is the published C-MTEB tables' (FlagEmbedding's scripts): a task score in points is
`round(score * 100, 2)` (the mean over splits first when a task has several); a mean is
`round(sum(rounded task scores) / n, 2)`. Plain Python floats, as those scripts used: exact decimal
rounding would be "cleaner" but misses 5 of the 25 published category cells this rule reproduces
(e.g. bge-base-zh-v1.5 Reranking: 65.395 is 65.39499... as a float, published 65.39). Means are
over tasks (task-weighted), never means of category means.

A float sum depends on its order in the last bit, which can move a mean that lands on a .xx5
boundary: the published scripts summed in table order, while the run summary and compare list
tasks in other orders. `mean2` sums the rounded scores in ascending order, so the result depends
only on the scores; it reproduces every published cell that table order does (the 25 category
cells and the 31-task averages of m3e-base and text2vec-base-chinese), while an exactly rounded
sum (`math.fsum`) or descending order misses one (bge-small-zh-v1.5 STS: 49.10, published 49.11).

So the same results give the same digits everywhere, where a mean of unrounded scores can differ
from the published mean in the last digit (81.06 against 81.05).
"""

from __future__ import annotations

from collections.abc import Sequence


def round2(value: float) -> float:
    """A score in points rounded to 2 decimals."""
    return round(value, 2)


def mean2(values: Sequence[float]) -> float:
    """Round each value (points) to 2 dp, sum them in ascending order, divide, round to 2 dp
    (module doc). Not empty."""
    if not values:
        raise ValueError("mean of no values")
    return round2(sum(sorted(round2(v) for v in values)) / len(values))


def text2(value: float | None, missing: str = "") -> str:
    """`81.60` (2 decimals), or `missing` for None."""
    return missing if value is None else f"{round2(value):.2f}"
