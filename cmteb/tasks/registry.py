"""Task and benchmark registry: reads `tasks/**/*.yaml` and `tasks/benchmarks/*.yaml`.

Policy: every file is validated when the registry loads; one bad file stops the program with a
one-line error naming it (never skipped). Task names are unique across files; a task file is named
`<name>.yaml`, and one under a type folder (`retrieval/`, `sts/`, ...) has that folder's type.
Benchmark manifests may only narrow a member task's splits to splits the task defines.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from cmteb.errors import UserError, did_you_mean
from cmteb.tasks.spec import TASK_TYPES, ProtocolName, TaskSpec
from cmteb.tasks.yaml_loader import parse_model

BENCHMARKS_DIR = "benchmarks"
# Folder under tasks/ -> the type its task files must declare (other folders, e.g. demo/, mix).
TYPE_DIRS: dict[str, str] = {
    "retrieval": "Retrieval", "reranking": "Reranking", "sts": "STS",
    "pair_classification": "PairClassification", "classification": "Classification",
    "clustering": "Clustering",
}


class BenchmarkSpec(BaseModel):
    """A named list of tasks. `splits` narrows a task's evaluation splits inside this benchmark."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    protocol: ProtocolName = "cmteb"
    aliases: list[str] = []
    tasks: list[str] = Field(min_length=1)
    splits: dict[str, list[str]] = {}


def tasks_root() -> Path:
    """The folder of task YAMLs: packaged copy in a wheel, else the repository's `tasks/`."""
    packaged = Path(__file__).resolve().parents[1] / "_tasks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "tasks"


def _check_placement(path: Path, spec: TaskSpec) -> None:
    """A registry task file is `<name>.yaml`, in the folder of its type when it sits in one."""
    if path.stem != spec.name:
        raise UserError(f"{path}: file name must be {spec.name}.yaml (the task's name)")
    expected = TYPE_DIRS.get(path.parent.name)
    if expected is not None and spec.type != expected:
        raise UserError(f"{path}: type {spec.type} does not belong in {path.parent.name}/ "
                        f"(tasks there have type {expected})")


def _check_benchmark(path: Path, bench: BenchmarkSpec, specs: dict[str, TaskSpec]) -> None:
    """Members exist and are listed once; `splits` narrows members to splits they define."""
    seen: set[str] = set()
    for task in bench.tasks:
        if task not in specs:
            raise UserError(f"{path}: unknown task {task!r}" + did_you_mean(task, specs))
        if task in seen:
            raise UserError(f"{path}: task {task!r} is listed twice")
        seen.add(task)
    for task, splits in bench.splits.items():
        if task not in seen:
            raise UserError(f"{path}: splits: {task!r} is not a task of this benchmark")
        known = specs[task].all_splits()
        unknown = [s for s in splits if s not in known]
        if not splits or unknown:
            raise UserError(f"{path}: splits: {task}: {unknown or '[]'} not among the task's "
                            f"splits {known}")


@functools.cache
def _load_all(root: Path) -> tuple[dict[str, TaskSpec], dict[str, Path], dict[str, BenchmarkSpec]]:
    specs: dict[str, TaskSpec] = {}
    origins: dict[str, Path] = {}
    for path in sorted(root.rglob("*.yaml")):
        if path.parent.name == BENCHMARKS_DIR or "data" in path.relative_to(root).parts:
            continue
        spec = parse_model(path, TaskSpec)
        _check_placement(path, spec)
        if spec.name in specs:
            raise UserError(f"{path}: task {spec.name!r} is also defined in {origins[spec.name]}")
        specs[spec.name] = spec
        origins[spec.name] = path
    benchmarks: dict[str, BenchmarkSpec] = {}
    for path in sorted((root / BENCHMARKS_DIR).glob("*.yaml")):
        bench = parse_model(path, BenchmarkSpec)
        _check_benchmark(path, bench, specs)
        for name in [bench.name, *bench.aliases]:
            if name.lower() in {b.lower() for b in benchmarks}:
                raise UserError(f"{path}: benchmark name {name!r} is defined twice")
            benchmarks[name] = bench
    return specs, origins, benchmarks


class TaskRegistry:
    """Read-only view of the task and benchmark definitions under `root`."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or tasks_root()).resolve()
        self._specs, self._origins, self._benchmarks = _load_all(self.root)

    def names(self) -> list[str]:
        return list(self._specs)

    def get(self, name: str) -> TaskSpec:
        """Exact name first, then a case-insensitive match; else a 'did you mean' UserError."""
        if name in self._specs:
            return self._specs[name]
        lowered = {n.lower(): n for n in self._specs}
        if name.lower() in lowered:
            return self._specs[lowered[name.lower()]]
        raise UserError(f"unknown task {name!r}" + did_you_mean(name, self._specs))

    def origin(self, name: str) -> Path:
        """The YAML file that defines task `name` (local data paths are relative to it)."""
        return self._origins[self.get(name).name]

    def benchmark(self, name: str) -> BenchmarkSpec:
        lowered = {n.lower(): b for n, b in self._benchmarks.items()}
        if name.lower() in lowered:
            return lowered[name.lower()]
        unique = self.benchmark_names()
        raise UserError(f"unknown benchmark {name!r}" + did_you_mean(name, unique)
                        + f"; benchmarks: {', '.join(unique)} (see `cmteb list --benchmarks`)")

    def benchmark_names(self) -> list[str]:
        return sorted({b.name for b in self._benchmarks.values()})

    def task_types(self, types: list[str]) -> list[str]:
        """mteb's type names, case-insensitive, in their canonical spelling; else a UserError with
        'did you mean' naming the first unknown one."""
        canonical = {t.lower(): t for t in TASK_TYPES}
        for t in types:
            if t.lower() not in canonical:
                raise UserError(f"unknown task type {t!r}" + did_you_mean(t, TASK_TYPES)
                                + f"; task types: {', '.join(TASK_TYPES)}")
        return [canonical[t.lower()] for t in types]

    def by_types(self, types: list[str], benchmark: str = "C-MTEB") -> list[TaskSpec]:
        """The tasks of `benchmark` (in its order) whose type is among `types` (see `task_types`)."""
        wanted = set(self.task_types(types))
        return [self._specs[n] for n in self.benchmark(benchmark).tasks if self._specs[n].type in wanted]


def load_task_file(path: Path) -> tuple[TaskSpec, Path]:
    """Validate a task YAML given with `--task-file` (same schema as `tasks/`)."""
    if not path.is_file():
        raise UserError(f"{path}: task file not found")
    return parse_model(path, TaskSpec), path.resolve()
