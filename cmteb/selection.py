"""Turn a TaskSelection into an ordered list of planned tasks with their splits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cmteb.config import TaskSelection
from cmteb.errors import UserError
from cmteb.protocols import get_protocol
from cmteb.tasks.registry import TaskRegistry, load_task_file
from cmteb.tasks.spec import TaskSpec

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
    seen: set[str] = set()
    planned = []
    for spec, path in entries:
        if spec.name in seen:
            continue
        seen.add(spec.name)
        narrowed = benchmark.splits.get(spec.name) if benchmark else None
        required = tuple(narrowed or spec.eval_splits(proto))  # type: ignore[arg-type]
        optional = tuple(s for s in spec.all_splits() if s not in required)
        planned.append(PlannedTask(spec, path, required, optional))
    return Plan(protocol=proto, tasks=tuple(planned), benchmark=benchmark.name if benchmark else None)
