"""Rounding and means (aggregate, cmteb.rounding): expected values from the rule written as a
formula."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmteb.leaderboard.aggregate import average, build_row, types_of
from cmteb.leaderboard.records import TaskScore
from cmteb.rounding import mean2, round2, text2
from tests.leaderboard.lb_files import convention

points = st.floats(min_value=0, max_value=100, allow_nan=False)


def score(task: str, raw: float | None, deviations: tuple[str, ...] = ()) -> TaskScore:
    return TaskScore(task, None, raw=raw, deviations=deviations,
                     missing=None if raw is not None else "no result file")


@given(st.lists(points, min_size=1, max_size=12))
def test_mean2_is_round_of_mean_of_rounded(values):
    rounded = sorted(round(v, 2) for v in values)
    assert mean2(values) == round(sum(rounded) / len(rounded), 2)


@given(st.lists(points, min_size=1, max_size=12), st.randoms())
def test_mean2_does_not_depend_on_the_order_tasks_are_listed_in(values, rng):
    shuffled = list(values)
    rng.shuffle(shuffled)
    assert mean2(shuffled) == mean2(values)


def test_float_rounding_matches_the_published_table():
    # bge-large-zh-v1.5 pair classification: Ocnli 77.936 and Cmnli 85.2696 (refs files, x100).
    # 77.94 and 85.27 average to 81.605, which is 81.60499... as a float: the README shows 81.6.
    assert mean2([77.936, 85.2696]) == 81.6
    assert round2(83.987) == 83.99
    assert text2(81.6) == "81.60" and text2(None) == "" and text2(None, "—") == "—"


def test_mean2_refuses_an_empty_list():
    with pytest.raises(ValueError):
        mean2([])


def test_average_is_empty_never_partial_when_a_task_is_missing():
    scores = {"A": score("A", 50.0), "B": score("B", None), "C": score("C", 70.0, ("quick run",))}
    avg = average(scores, ["A", "B", "C"])
    assert avg.value is None and avg.missing == ("B",) and avg.marked == ("C",)
    full = average(scores, ["A", "C"])
    assert full.value == 60.0 and full.missing == () and full.marked == ("C",)


def test_overall_is_task_weighted_not_a_mean_of_category_means():
    types = {"Retrieval": ("R1", "R2", "R3"), "STS": ("S1",)}
    raw = {"R1": 10.0, "R2": 20.0, "R3": 30.0, "S1": 100.0}
    row = build_row("m", {t: score(t, v) for t, v in raw.items()}, types, folders=(),
                    producers=(), protocols=(), date=None)
    assert row.types["Retrieval"].value == 20.0 and row.types["STS"].value == 100.0
    assert row.overall.value == (10 + 20 + 30 + 100) / 4  # 40.0, not (20 + 100) / 2
    assert row.tasks["R1"].value == 10.0


def test_types_follow_the_published_column_order():
    convs = [convention("C1", "Clustering"), convention("R1", "Retrieval"), convention("S1", "STS"),
             convention("R2", "Retrieval")]
    assert types_of(convs) == {"Retrieval": ("R1", "R2"), "STS": ("S1",), "Clustering": ("C1",)}
