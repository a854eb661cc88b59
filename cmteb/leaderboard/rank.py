"""Rank the rows of a leaderboard: by mean (with statistical ties) and by Borda count.

Rules (stated in every output):
- Rank by mean: each model is ranked on the mean of the tasks it has (`Ranking.mean`: the
  overall Avg when it has every task, else the mean of its tasks by the same rounding rule, and
  the rank is marked as partial). A model is never sunk for a missing task, and never sorted by
  name while it has a score. Rank = 1 + the number of models that are better beyond doubt: a
  model is better when both have 95% intervals and its interval lies wholly above the other's,
  or, when either has no interval, when its mean is higher. Models whose intervals overlap thus
  share a rank (the Chatbot Arena rule); without intervals this is plain competition ranking.
- Rank by Borda count, as the MTEB leaderboard (`mteb.benchmarks._create_table`): per task,
  the models that have it are ranked by score (ties get the average rank) and each earns
  `n_models - rank` points; a missing task earns nothing; the point totals are ranked with ties
  sharing the best rank.
- Row order: rank by mean, then the mean (highest first), then the name. Rows with no score at
  all come last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
from scipy.stats import rankdata

from cmteb.leaderboard.intervals import Bootstrap, mean_interval
from cmteb.leaderboard.records import ModelRow, Ranking
from cmteb.rounding import table_mean

RULE = ("Rank: by the mean over the tasks a model has (marked * when it lacks some); models "
        "whose 95% intervals overlap share a rank. Borda: the MTEB leaderboard's Borda count "
        "(per task n_models - rank among the models that have it; a missing task earns 0).")


def ranking_of(row: ModelRow, boots: Mapping[str, Bootstrap], type_of: Mapping[str, str]) -> Ranking:
    """The mean a row is ranked on, with its interval (`boots`: task -> resamples, may be empty;
    `type_of`: task -> task type)."""
    present = [t for t, s in row.tasks.items() if s.raw is not None]
    if not row.overall.missing:
        mean, interval = row.overall.value, row.overall.interval
    else:
        mean = table_mean({t: row.tasks[t].raw for t in present}, type_of) if present else None
        interval = mean_interval([boots[t] for t in present]) if present and all(
            t in boots for t in present) else None
    return Ranking(mean=mean, tasks=len(present), of=len(row.tasks), interval=interval)


def _better(a: Ranking, b: Ranking) -> bool:
    """Whether `a` ranks above `b` beyond doubt (module rule)."""
    if a.interval is not None and b.interval is not None:
        return a.interval.low > b.interval.high
    return a.mean > b.mean  # type: ignore[operator] - only called with means


def borda_points(rows: Sequence[ModelRow]) -> list[float]:
    """Each row's Borda points over the tasks (module rule)."""
    n = len(rows)
    points = np.zeros(n)
    tasks = rows[0].tasks if rows else {}
    for task in tasks:
        have = [i for i, r in enumerate(rows) if r.tasks[task].raw is not None]
        if not have:
            continue
        ranks = rankdata([-rows[i].tasks[task].raw for i in have], method="average")
        points[have] += n - ranks
    return points.tolist()


def rank_rows(rows: Sequence[ModelRow]) -> list[ModelRow]:
    """Rows with `ranking.rank`, `ranking.borda` and `borda_points` set, in row order."""
    points = borda_points(rows)
    borda = rankdata([-p for p in points], method="min") if rows else []
    out = []
    for i, row in enumerate(rows):
        own = row.ranking
        assert own is not None, "ranking_of() first"
        rank = None
        if own.mean is not None:
            rank = 1 + sum(other.ranking.mean is not None and other is not row
                           and _better(other.ranking, own) for other in rows)
        out.append(replace(row, ranking=replace(own, rank=rank, borda=int(borda[i]),
                                                borda_points=float(points[i]))))
    return sorted(out, key=lambda r: (r.ranking.rank is None, r.ranking.rank or 0,
                                      -(r.ranking.mean or 0.0), r.model))
