"""The frozen run configuration: everything `cmteb run` was asked to do, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cmteb.distributed.options import RayOptions, Shard
from cmteb.engine.batching import DEFAULT_BATCH_SIZE
from cmteb.models.types import ModelOptions


@dataclass(frozen=True)
class TaskSelection:
    """An explicit list (`tasks` and/or `task_files`), or a `benchmark` (default C-MTEB) that
    `task_types` narrows; `cmteb.selection.plan_tasks` resolves it."""

    tasks: tuple[str, ...] = ()
    benchmark: str | None = None
    task_types: tuple[str, ...] = ()
    task_files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class RunConfig:
    models: tuple[str, ...]
    selection: TaskSelection = field(default_factory=TaskSelection)
    model_options: ModelOptions = field(default_factory=ModelOptions)
    protocol: str | None = None  # None = the benchmark's protocol, else cmteb
    data_dir: Path | None = None
    output_dir: Path = Path("results")
    cache_dir: Path | None = None  # None = cmteb.models.embed_store.default_cache_dir()
    use_cache: bool = True  # False: a run-scoped store only (still shared by the run's tasks)
    batch_size: int = DEFAULT_BATCH_SIZE  # most texts per batch (the token budget usually binds first)
    token_budget: int | None = None  # padded tokens per batch; None = the device default
    search: str = "exact"  # retrieval search: "exact" (cmteb's own) or "faiss" (evaluators._search)
    overwrite: bool = False
    quick: bool = False
    show_progress: bool = True
    shard: Shard | None = None  # run only this slice of the (model, task) units
    ray: RayOptions | None = None  # run the units on Ray instead of in this process
