"""Rounding and means (aggregate, cmteb.rounding): expected values from the rule written as a
formula."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmteb.leaderboard.aggregate import average, build_row, types_of
from cmteb.leaderboard.records import TaskScore
from cmteb.rounding import TYPE_ORDER, mean2, round2, table_mean, text2
from cmteb.tasks.registry import TaskRegistry
from tests.leaderboard.lb_files import convention

points = st.floats(min_value=0, max_value=100, allow_nan=False)


def score(task: str, raw: float | None, deviations: tuple[str, ...] = ()) -> TaskScore:
    return TaskScore(task, None, raw=raw, deviations=deviations,
                     missing=None if raw is not None else "no result file")


@given(st.lists(points, min_size=1, max_size=12))
def test_mean2_is_round_of_mean_of_rounded(values):
    rounded = [round(v, 2) for v in values]
    assert mean2(values) == round(sum(rounded) / len(rounded), 2)


@functools.cache
def c_mteb_35() -> tuple[list[str], dict[str, str]]:
    registry = TaskRegistry()
    tasks = list(registry.benchmark("C-MTEB-35").tasks)
    return tasks, {t: registry.get(t).type for t in tasks}


@settings(deadline=None)  # the first example reads the task registry
@given(st.lists(points, min_size=1, max_size=12), st.randoms())
def test_table_mean_does_not_depend_on_the_order_tasks_are_listed_in(values, rng):
    tasks, types = c_mteb_35()
    picked = rng.sample(list(tasks), len(values))
    scores = dict(zip(picked, values, strict=True))
    shuffled = dict(rng.sample(list(scores.items()), len(scores)))
    assert table_mean(shuffled, types) == table_mean(scores, types)
    ordered = sorted(picked, key=lambda t: (TYPE_ORDER.index(types[t]), tasks.index(t)))
    assert table_mean(scores, types) == mean2([scores[t] for t in ordered])


def test_table_order_reproduces_a_mean_on_a_rounding_boundary():
    # bge-large-zh Retrieval (refs files, x100, rounded): the 8 tasks in table order average
    # 71.525 exactly; FlagEmbedding's README (research/C_MTEB/README.md) prints 71.53, which the
    # float sum in table order gives and an ascending sum does not.
    scores = {"T2Retrieval": 84.82, "MMarcoRetrieval": 81.28, "DuRetrieval": 86.94,
              "CovidRetrieval": 74.06, "CmedqaRetrieval": 42.40, "EcomRetrieval": 66.12,
              "MedicalRetrieval": 59.39, "VideoRetrieval": 77.19}
    types = dict.fromkeys(scores, "Retrieval")
    assert table_mean(dict(sorted(scores.items(), key=lambda kv: kv[1])), types) == 71.53
    assert mean2(sorted(scores.values())) == 71.52


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
    type_of = dict.fromkeys("ABC", "STS")
    avg = average(scores, ["A", "B", "C"], type_of)
    assert avg.value is None and avg.missing == ("B",) and avg.marked == ("C",)
    full = average(scores, ["A", "C"], type_of)
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
