"""The work units of a run and the deterministic `--shard I/N` slice of them.

A unit is one (model, task) pair, i.e. one result file; its key is the file's place under the
output folder, `{org__model}/{revision}/{Task}`. Shard policy: sort every unit key of the run,
then deal them round-robin: the unit at sorted position p belongs to shard (p mod N) + 1. The
same command therefore gives the same slices on every machine and in every process, the N
slices cover every unit exactly once, and their sizes differ by at most one.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace

from cmteb.distributed.options import Shard
from cmteb.errors import UserError
from cmteb.models.types import ResolvedModel
from cmteb.selection import Plan, PlannedTask
from cmteb.tasks.spec import TASK_TYPES


@dataclass(frozen=True)
class Unit:
    model: ResolvedModel
    task: PlannedTask

    @property
    def key(self) -> str:
        return unit_key(self.model, self.task.spec.name)


def model_key(model: ResolvedModel) -> str:
    """`{org__model}/{revision}`: the model's results folder under the output folder."""
    return f"{model.folder_name}/{model.revision}"


def unit_key(model: ResolvedModel, task: str) -> str:
    return f"{model_key(model)}/{task}"


def plan_units(models: list[ResolvedModel], plan: Plan) -> list[Unit]:
    """Every model x task, models in the given order, tasks in plan order.

    Raises UserError when two models would write the same result files (same name and revision
    and a task type both take; a reranker's two views, reranking and retrieval, do not clash).
    """
    seen: dict[tuple[str, str], list[ResolvedModel]] = {}
    for model in models:
        where = (model.folder_name, model.revision)
        for other in seen.get(where, []):
            if any(model.takes(t) and other.takes(t) for t in TASK_TYPES):
                raise UserError(
                    f"models {other.name!r} and {model.name!r} would write the same results folder "
                    f"{model.folder_name}/{model.revision} (give them different names)"
                )
        seen.setdefault(where, []).append(model)
    return [Unit(model, planned) for model in models for planned in plan.tasks]


def shard_of(keys: list[str], shard: Shard) -> set[str]:
    """The keys of `shard` (module policy: sorted keys dealt round-robin)."""
    return {key for pos, key in enumerate(sorted(keys)) if pos % shard.count == shard.index - 1}


def select_units(
    models: list[ResolvedModel], plan: Plan, shard: Shard | None, *, announce: bool = False
) -> list[Unit]:
    """All units of the run, or only `shard`'s, in run order; `announce` says which on stderr."""
    units = plan_units(models, plan)
    if shard is None:
        return units
    mine = shard_of([u.key for u in units], shard)
    if announce:
        print(f"cmteb: shard {shard}: {len(mine)} of {len(units)} (model, task) units", file=sys.stderr)
    return [u for u in units if u.key in mine]


def plan_for_units(plan: Plan, units: list[Unit]) -> Plan:
    """`plan` narrowed to the tasks some unit needs (a shard loads only its own tasks' data)."""
    needed = {u.task.spec.name for u in units}
    return replace(plan, tasks=tuple(t for t in plan.tasks if t.spec.name in needed))
