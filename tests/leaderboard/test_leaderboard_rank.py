"""Ranks: by the mean of the tasks a model has (interval overlaps tie), and the MTEB leaderboard's
Borda count, checked against the pinned mteb's own implementation on the same scores."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from cmteb.leaderboard.aggregate import build_row, type_map
from cmteb.leaderboard.rank import rank_rows, ranking_of
from cmteb.leaderboard.records import Interval, TaskScore

TYPES = {"STS": ("A", "B"), "Retrieval": ("C",)}


def row(name: str, raw: dict[str, float | None], interval: Interval | None = None):
    scores = {t: TaskScore(t, None, raw=v, missing=None if v is not None else "no result file")
              for t, v in raw.items()}
    built = build_row(name, scores, TYPES, folders=(), producers=(), protocols=(), date=None)
    ranking = ranking_of(built, {}, type_map(TYPES))
    if interval is not None:
        ranking = replace(ranking, interval=interval)
    return replace(built, ranking=ranking)


def test_a_model_with_missing_tasks_is_ranked_on_the_tasks_it_has_and_marked():
    rows = rank_rows([row("zeta", {"A": 50.0, "B": 50.0, "C": 50.0}),
                      row("alpha", {"A": 90.0, "B": None, "C": 80.0}),
                      row("empty", {"A": None, "B": None, "C": None}),
                      row("beta", {"A": 60.0, "B": 60.0, "C": 60.0})])
    assert [r.model for r in rows] == ["alpha", "beta", "zeta", "empty"]
    alpha = rows[0].ranking
    assert alpha.rank == 1 and alpha.partial and (alpha.tasks, alpha.of) == (2, 3)
    assert alpha.mean == round((90.0 + 80.0) / 2, 2) and rows[0].overall.value is None
    assert rows[1].ranking.rank == 2 and not rows[1].ranking.partial
    assert rows[3].ranking.rank is None and rows[3].ranking.mean is None


def test_equal_means_share_a_rank():
    rows = rank_rows([row("a", {"A": 70.0, "B": 70.0, "C": 70.0}),
                      row("b", {"A": 70.0, "B": 70.0, "C": 70.0}),
                      row("c", {"A": 10.0, "B": 10.0, "C": 10.0})])
    assert [r.ranking.rank for r in rows] == [1, 1, 3]


def test_overlapping_intervals_are_tied_and_separate_ones_are_not():
    full = {"A": 1.0, "B": 1.0, "C": 1.0}
    a = row("a", {t: 80.0 for t in full}, Interval(78.0, 82.0, 1000))
    b = row("b", {t: 77.0 for t in full}, Interval(75.0, 79.0, 1000))  # overlaps a
    c = row("c", {t: 70.0 for t in full}, Interval(68.0, 72.0, 1000))  # below both
    d = row("d", {t: 60.0 for t in full})                                # no interval: by mean
    ranks = {r.model: r.ranking.rank for r in rank_rows([c, d, b, a])}
    assert ranks == {"a": 1, "b": 1, "c": 3, "d": 4}


def _mteb_borda(scores: dict[str, dict[str, float | None]]) -> dict[str, int]:
    """The pinned mteb's long-form Borda rank on the same scores (what its leaderboard shows)."""
    pl = pytest.importorskip("polars")
    from mteb.benchmarks._create_table import _borda_rank_from_long

    long = pl.DataFrame([{"model_name": m, "task_name": t, "score": v}
                         for m, by_task in scores.items() for t, v in by_task.items()
                         if v is not None])
    out = _borda_rank_from_long(long, n_models=len(scores))
    return dict(zip(out["model_name"].to_list(), out["Rank (Borda)"].to_list(), strict=True))


def test_borda_rank_and_points_equal_the_mteb_leaderboard():
    rng = np.random.default_rng(7)
    scores = {f"m{i}": {t: float(rng.integers(40, 60)) for t in "ABC"} for i in range(6)}
    scores["m1"]["B"] = None  # missing tasks earn nothing
    scores["m4"]["A"] = scores["m4"]["C"] = None
    scores["m2"]["A"] = scores["m3"]["A"]  # a tie within a task
    rows = rank_rows([row(m, s) for m, s in scores.items()])
    ours = {r.model: r.ranking.borda for r in rows}
    assert ours == _mteb_borda(scores)
    n = len(scores)
    m0 = next(r for r in rows if r.model == "m0").ranking.borda_points
    by_task = [sorted((v for v in (s[t] for s in scores.values()) if v is not None), reverse=True)
               for t in "ABC"]
    expected = sum(n - (np.mean([i + 1 for i, v in enumerate(vals) if v == scores["m0"][t]]))
                   for t, vals in zip("ABC", by_task, strict=True))
    assert m0 == pytest.approx(expected)
