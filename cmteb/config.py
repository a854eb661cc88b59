"""The run configuration: everything `cmteb run` (or `cmteb.evaluate`) was asked to do, and nothing else.

Validation policy: `RunConfig` and `TaskSelection` validate themselves when built (pydantic
dataclasses, also on `dataclasses.replace`), so the command line and the Python API share every
check; a bad value is a `UserError` (exit 2) on one line, naming the flag it comes from. Model
settings validate in `ModelOptions`, `--shard`/`--ray` settings in `Shard`/`RayOptions`. What needs
the task registry (task names and types, one way of choosing tasks: `pipeline.plan.plan_tasks`)
or only the run can know (installed packages, devices, the data itself) is checked by the run,
before any work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ConfigDict, ValidationError, field_validator, model_validator
from pydantic.dataclasses import dataclass

from cmteb.distributed.options import RayOptions, Shard
from cmteb.engine.batching import DEFAULT_BATCH_SIZE
from cmteb.errors import UserError, validation_line
from cmteb.evaluators.search import SEARCHES
from cmteb.models.types import ModelOptions
from cmteb.protocols import get_protocol

_CONFIG = ConfigDict(extra="forbid")


def _one_line(cls: type, values: Any, handler: Any) -> Any:
    """A wrong type (e.g. batch_size='x') as a one-line UserError; cmteb's own checks raise theirs."""
    try:
        return handler(values)
    except ValidationError as exc:
        raise UserError(validation_line(cls.__name__, exc)) from None


@dataclass(frozen=True, config=_CONFIG)
class TaskSelection:
    """An explicit list (`tasks` and/or `task_files`), or a `benchmark` (default C-MTEB) that
    `task_types` narrows; `cmteb.pipeline.plan.plan_tasks` resolves it."""

    tasks: tuple[str, ...] = ()
    benchmark: str | None = None
    task_types: tuple[str, ...] = ()
    task_files: tuple[Path, ...] = ()

    _types = model_validator(mode="wrap")(classmethod(_one_line))


@dataclass(frozen=True, config=_CONFIG)
class RunConfig:
    models: tuple[str, ...]
    selection: TaskSelection = TaskSelection()
    model_options: ModelOptions = ModelOptions()
    protocol: str | None = None  # None = the benchmark's protocol, else cmteb
    data_dir: Path | None = None
    output_dir: Path = Path("results")
    cache_dir: Path | None = None  # None = cmteb.models.embed_store.default_cache_dir()
    use_cache: bool = True  # False: a run-scoped store only (still shared by the run's tasks)
    batch_size: int = DEFAULT_BATCH_SIZE  # most texts per batch (the token budget usually binds first)
    token_budget: int | None = None  # padded tokens per batch; None = the device default
    search: str = "exact"  # retrieval search: "exact" (cmteb's own) or "faiss" (cmteb.evaluators.search)
    overwrite: bool = False
    quick: bool = False
    show_progress: bool = True
    shard: Shard | None = None  # run only this slice of the (model, task) units
    ray: RayOptions | None = None  # run the units on Ray instead of in this process

    _types = model_validator(mode="wrap")(classmethod(_one_line))

    @field_validator("batch_size")
    @classmethod
    def _batch_size(cls, value: int) -> int:
        if value < 1:
            raise UserError(f"--batch-size must be positive, got {value}")
        return value

    @field_validator("token_budget")
    @classmethod
    def _token_budget(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise UserError(f"--token-budget must be positive, got {value}")
        return value

    @field_validator("data_dir")
    @classmethod
    def _data_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise UserError(f"--data-dir {value}: no such folder")
        return value

    @field_validator("protocol")
    @classmethod
    def _protocol(cls, value: str | None) -> str | None:
        return value if value is None else get_protocol(value).name

    @field_validator("search")
    @classmethod
    def _search(cls, value: str) -> str:
        if value not in SEARCHES:
            raise UserError(f"unknown search {value!r}; choose one of {', '.join(SEARCHES)}")
        return value

    @model_validator(mode="after")
    def _one_executor(self) -> RunConfig:
        if self.shard is not None and self.ray is not None:
            raise UserError("--shard and --ray do not go together: Ray already spreads every unit")
        return self

    @property
    def executor(self) -> str:
        """The executor that runs the units (`cmteb.pipeline.run.EXECUTORS`)."""
        return "local" if self.ray is None else "ray"
