"""The one rounding rule for every score cmteb shows: run summary, leaderboard and compare.

The rule is the published C-MTEB tables' (FlagEmbedding's scripts): a task score in points is
`round(score * 100, 2)` (the mean over splits first when a task has several); a mean is
`round(sum(rounded task scores) / n, 2)`. Plain Python floats, as those scripts used: exact decimal
rounding would be "cleaner" but misses 5 of the 25 published category cells this rule reproduces
(e.g. bge-base-zh-v1.5 Reranking: 65.395 is 65.39499... as a float, published 65.39). Means are
over tasks (task-weighted), never means of category means.

A float sum depends on its order in the last bit, which decides a mean that lands exactly on a
.xx5 boundary: the published scripts summed in table order (bge-large-zh Retrieval: 71.525
exactly, published 71.53, where ascending order gives 71.52; bge-small-zh-v1.5 STS: published
49.11, where an exactly rounded sum gives 49.10). So every mean cmteb shows goes through
`table_mean`, which sums the task scores in the published tables' order whatever order a tool
lists them in: task types in the tables' column order (`TYPE_ORDER`), within a type the order of
the `C-MTEB-35` manifest (the README columns), then any other task by name.

So the same results give the same digits everywhere, where a mean of unrounded scores can differ
from the published mean in the last digit (81.06 against 81.05).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

# The published tables' column order of the task types.
TYPE_ORDER = ("Retrieval", "STS", "PairClassification", "Classification", "Reranking", "Clustering")
ORDER_BENCHMARK = "C-MTEB-35"  # its manifest lists each type's tasks in the README's column order


def round2(value: float) -> float:
    """A score in points rounded to 2 decimals."""
    return round(value, 2)


def mean2(values: Sequence[float]) -> float:
    """Round each value (points) to 2 dp, sum them left to right in the order given, divide,
    round to 2 dp. Not empty. Task scores go through `table_mean`, which fixes the order."""
    if not values:
        raise ValueError("mean of no values")
    return round2(sum(round2(v) for v in values) / len(values))


@functools.cache
def _manifest_positions() -> dict[str, int]:
    from cmteb.tasks.registry import TaskRegistry

    return {task: i for i, task in enumerate(TaskRegistry().benchmark(ORDER_BENCHMARK).tasks)}


def table_key(task: str, task_type: str) -> tuple[int, int, str]:
    """Where a task comes in the published tables' order (module doc)."""
    types = TYPE_ORDER.index(task_type) if task_type in TYPE_ORDER else len(TYPE_ORDER)
    return types, _manifest_positions().get(task, len(_manifest_positions())), task


def table_mean(scores: Mapping[str, float], types: Mapping[str, str]) -> float:
    """`mean2` of task scores (task -> points) summed in the published tables' order; `types`:
    task -> task type. Not empty."""
    order = sorted(scores, key=lambda task: table_key(task, types[task]))
    return mean2([scores[task] for task in order])


def text2(value: float | None, missing: str = "") -> str:
    """`81.60` (2 decimals), or `missing` for None."""
    return missing if value is None else f"{round2(value):.2f}"
