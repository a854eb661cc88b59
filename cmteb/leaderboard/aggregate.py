"""Means exactly as the published C-MTEB tables: pure functions over task scores.

Policy:
- Rounding: `cmteb.rounding` (the published tables' rule, shared with the run summary and
  compare): task scores rounded to 2 dp, means of the rounded scores (summed in the published
  tables' order) rounded again.
- A category mean is the mean of its tasks; the overall mean is the mean over all tasks of the
  benchmark (task-weighted, as the published tables), never a mean of category means.
- A mean is None, never partial, when any member task is missing; it lists the missing tasks
  and the member tasks whose scores carry deviations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from cmteb.leaderboard.records import Average, ModelRow, TaskConvention, TaskScore
from cmteb.rounding import TYPE_ORDER, round2, table_mean


def rounded(score: TaskScore) -> TaskScore:
    """The task score with `value` = `raw` rounded to 2 dp."""
    return replace(score, value=None if score.raw is None else round2(score.raw))


def average(scores: dict[str, TaskScore], tasks: Iterable[str], type_of: dict[str, str]) -> Average:
    """The mean of `tasks` (None when any is missing); `type_of`: task -> task type."""
    tasks = tuple(tasks)
    missing = tuple(t for t in tasks if scores[t].raw is None)
    marked = tuple(t for t in tasks if scores[t].deviations)
    value = None if missing or not tasks else table_mean({t: scores[t].raw for t in tasks}, type_of)
    return Average(value=value, tasks=tasks, missing=missing, marked=marked)


def types_of(conventions: Sequence[TaskConvention]) -> dict[str, tuple[str, ...]]:
    """Task type -> its tasks in manifest order; types in the published column order."""
    present = {c.type for c in conventions}
    order = [t for t in TYPE_ORDER if t in present] + sorted(present - set(TYPE_ORDER))
    return {t: tuple(c.task for c in conventions if c.type == t) for t in order}


def build_row(model: str, scores: dict[str, TaskScore], types: dict[str, tuple[str, ...]],
              **metadata) -> ModelRow:
    """One model's row: rounded task scores, category means and the overall mean."""
    scores = {task: rounded(score) for task, score in scores.items()}
    type_of = type_map(types)
    return ModelRow(
        model=model, tasks=scores,
        types={t: average(scores, members, type_of) for t, members in types.items()},
        overall=average(scores, list(type_of), type_of), **metadata,
    )


def type_map(types: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """task -> its type, in table order."""
    return {task: t for t, members in types.items() for task in members}

