"""What a run does, decided before any data is read: its tasks (with their splits) and its units.

Tasks: a `TaskSelection` resolves to `PlannedTask`s in order: an explicit list, or a benchmark
that task types narrow (unknown names are UserErrors with "did you mean"); each has the splits the
protocol requires and the optional ones it scores when present.

Units: one (model, task) pair is one unit, i.e. one result file; its key is the file's place under
the output folder, `{org__model}/{revision}/{Task}`. Shard policy (`--shard I/N`): sort every unit
key of the run, then deal them round-robin: the unit at sorted position p belongs to shard
(p mod N) + 1. The same command therefore gives the same slices on every machine and in every
process, the N slices cover every unit exactly once, and their sizes differ by at most one.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

from cmteb.config import TaskSelection
from cmteb.distributed.options import Shard
from cmteb.errors import UserError
from cmteb.models.types import ResolvedModel
from cmteb.protocols import get_protocol
from cmteb.tasks.registry import TaskRegistry, load_task_file
from cmteb.tasks.spec import TASK_TYPES, TaskSpec

DEFAULT_BENCHMARK = "C-MTEB"


@dataclass(frozen=True)
class PlannedTask:
    """One task to run: `required` splits must exist; `optional` ones are scored when present."""

    spec: TaskSpec
    yaml_path: Path
    required: tuple[str, ...]
    optional: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    protocol: str
    tasks: tuple[PlannedTask, ...]
    benchmark: str | None


def plan_tasks(selection: TaskSelection, protocol: str | None, registry: TaskRegistry) -> Plan:
    """Resolve names (UserError with 'did you mean' on unknown ones) and each task's splits.

    Either an explicit list (`tasks` and/or `task_files`) or a benchmark (default C-MTEB),
    narrowed to `task_types` when given. Task type names are checked first, so a typo among them
    is reported as such whatever else is wrong.
    """
    types = registry.task_types(list(selection.task_types))
    explicit = bool(selection.tasks or selection.task_files)
    if explicit and (selection.benchmark or types):
        raise UserError("choose tasks one way: --tasks/--task-file, or --benchmark "
                        "(optionally narrowed by --task-types)")
    benchmark = None
    entries: list[tuple[TaskSpec, Path]] = []
    if explicit:
        entries = [(registry.get(n), registry.origin(n)) for n in selection.tasks]
        entries += [load_task_file(Path(p)) for p in selection.task_files]
    else:
        benchmark = registry.benchmark(selection.benchmark or DEFAULT_BENCHMARK)
        specs = registry.by_types(types, benchmark.name) if types else \
            [registry.get(n) for n in benchmark.tasks]
        entries = [(s, registry.origin(s.name)) for s in specs]
    proto = get_protocol(protocol or (benchmark.protocol if benchmark else "cmteb")).name
    seen: dict[str, Path] = {}
    planned = []
    for spec, path in entries:
        if spec.name in seen:
            if seen[spec.name] != path:
                raise UserError(f"task {spec.name} is defined twice: {seen[spec.name]} and {path} "
                                "(give one of them)")
            continue
        seen[spec.name] = path
        narrowed = benchmark.splits.get(spec.name) if benchmark else None
        required = tuple(narrowed or spec.eval_splits(proto))  # type: ignore[arg-type]
        optional = tuple(s for s in spec.all_splits() if s not in required)
        planned.append(PlannedTask(spec, path, required, optional))
    return Plan(protocol=proto, tasks=tuple(planned), benchmark=benchmark.name if benchmark else None)


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
