"""Work units and `--shard I/N`: parsing, exact cover, stability, and what a shard loads."""

from __future__ import annotations

import random

import pytest

from cmteb.config import TaskSelection
from cmteb.distributed.options import RayOptions, Shard
from cmteb.distributed.units import plan_for_units, plan_units, select_units, shard_of
from cmteb.errors import UserError
from cmteb.models.resolve import resolve_model
from cmteb.models.types import ModelOptions
from cmteb.selection import plan_tasks
from cmteb.tasks.registry import TaskRegistry


@pytest.mark.parametrize(("text", "expected"), [("1/2", (1, 2)), ("2/2", (2, 2)), (" 3 / 7 ", (3, 7)),
                                               ("1/1", (1, 1))])
def test_shard_parses_i_of_n(text, expected):
    shard = Shard.parse(text)
    assert (shard.index, shard.count) == expected
    assert str(shard) == f"{expected[0]}/{expected[1]}"


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "2", "a/b", "1/2/3", "-1/2", ""])
def test_shard_rejects_bad_values_with_one_line(text):
    with pytest.raises(UserError, match="--shard"):
        Shard.parse(text)


@pytest.mark.parametrize("count", [1, 2, 3, 5, 13, 20])
def test_shards_cover_every_key_exactly_once_and_balance(count):
    keys = [f"model{m}/rev/Task{t}" for m in range(3) for t in range(13)]
    slices = [shard_of(keys, Shard(i, count)) for i in range(1, count + 1)]
    assert sorted(k for s in slices for k in s) == sorted(keys)  # union, no key twice
    sizes = [len(s) for s in slices]
    assert max(sizes) - min(sizes) <= 1


def test_shard_slice_does_not_depend_on_input_order():
    keys = [f"m/r/T{i}" for i in range(17)]
    shuffled = keys[:]
    random.Random(1).shuffle(shuffled)
    for i in (1, 2, 3):
        assert shard_of(keys, Shard(i, 3)) == shard_of(shuffled, Shard(i, 3))
    # the policy itself: sorted keys dealt round-robin
    assert shard_of(["b", "a", "c", "d"], Shard(1, 2)) == {"a", "c"}


def demo_plan():
    return plan_tasks(TaskSelection(benchmark="demo"), None, TaskRegistry())


def test_units_are_models_times_tasks_and_a_shard_loads_only_its_tasks():
    plan = demo_plan()
    models = [resolve_model("hash", ModelOptions(name=n)) for n in ("a", "b")]
    units = plan_units(models, plan)
    assert [(u.model.name, u.task.spec.name) for u in units] == [
        (m, t.spec.name) for m in ("a", "b") for t in plan.tasks]
    assert units[0].key == f"a/hash-v1/{plan.tasks[0].spec.name}"
    first = select_units(models, plan, Shard(1, 4))
    assert {u.key for u in first} == set(sorted(u.key for u in units)[::4])
    assert first == [u for u in units if u in first]  # run order kept
    narrowed = plan_for_units(plan, first)
    assert {t.spec.name for t in narrowed.tasks} == {u.task.spec.name for u in first}
    assert select_units(models, plan, None) == units


def test_two_models_writing_the_same_folder_are_refused():
    models = [resolve_model("hash", ModelOptions(name="same")) for _ in range(2)]
    with pytest.raises(UserError, match="same results folder same/hash-v1"):
        plan_units(models, demo_plan())


def test_ray_options_reject_non_positive_values():
    with pytest.raises(UserError, match="--ray-workers"):
        RayOptions(workers=0)
    with pytest.raises(UserError, match="--ray-corpus-chunk"):
        RayOptions(corpus_chunk=0)
