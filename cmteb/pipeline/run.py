"""The run behind `cmteb run` and `cmteb.evaluate`: plan -> load -> lock -> skip finished -> execute.

Order of work (no back and forth):
1. plan: settle the engine options (`with_engine_options`), resolve tasks and models (unknown
   names stop the run before anything else) and select the run's (model, task) units (all, or
   one `--shard`'s);
2. load: read and validate every planned task's data before any encoding. Local data that is
   missing or malformed (`LocalDataError`: the user's input) stops the run here (exit 2, nothing
   written), naming every such task. A task whose hub data cannot be loaded or validated is that
   task's failure (its units fail, the others run; exit 1), unless no task loads at all: then the
   run stops here too (UserError, exit 2);
3. lock every result file the run may write and remove what a killed run left beside them (a held
   lock stops the run);
4. skip the finished units, checked once here for every executor (a corrupt result or one made
   with other settings stops the run before any encoding);
5. execute the other units with the executor the config names (`EXECUTORS`: here one after the
   other, or on Ray workers). Executors only score; every unit comes back through one `finish`,
   which writes its result (`pipeline.task.write_task`) and turns a failure into that unit's
   outcome. A result that cannot be written (disk full) stops the run, since later results could
   not be written either. Rerunning the same command resumes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from cmteb.config import RunConfig
from cmteb.data.hub import HubUnreachableError
from cmteb.data.loader import load_task_data
from cmteb.data.quick import quick_subsample
from cmteb.data.types import TaskData
from cmteb.engine.devices import device_spec, parse_devices, resolve_dtype
from cmteb.errors import CmtebError, LocalDataError, UserError, UserErrors
from cmteb.evaluators.search import get_searcher
from cmteb.models.embed_store import RunStores
from cmteb.models.resolve import resolve_model
from cmteb.models.stages import prepare_models
from cmteb.models.types import ResolvedModel
from cmteb.pipeline.plan import Plan, Unit, plan_for_units, plan_tasks, select_units
from cmteb.pipeline.task import (
    Executor,
    Finish,
    TaskScores,
    finished_result,
    result_file,
    score_task,
    write_task,
)
from cmteb.results.io import WriteError, stale_temp_files
from cmteb.results.locks import ResultLocks
from cmteb.results.runs import run_path
from cmteb.results.task_result import samples_path
from cmteb.tasks.registry import TaskRegistry

log = logging.getLogger("cmteb")


@dataclass
class TaskOutcome:
    model: str
    task: str
    type: str
    status: str  # "done" | "skipped" (already finished) | "failed"
    result: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class RunReport:
    """What a run did. `planned`: model x task pairs; `running`: 'model / task' in progress;
    `stopped`: why the run ended before its plan did (a result could not be written)."""

    plan: Plan
    outcomes: list[TaskOutcome] = field(default_factory=list)
    planned: int = 0
    running: str | None = None
    stopped: str | None = None

    @property
    def failures(self) -> list[TaskOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


class RunInterrupted(Exception):
    """Ctrl-C during a run; carries what finished so the CLI can say so."""

    def __init__(self, report: RunReport) -> None:
        super().__init__("interrupted")
        self.report = report


class RunStopped(Exception):
    """A result could not be written: the run ends (`RunReport.stopped` says why)."""


def failure_message(task: str, exc: BaseException) -> str:
    """One line for a failed task: cmteb's own errors already name task and model."""
    if isinstance(exc, CmtebError):
        return str(exc)
    return f"task {task}: {type(exc).__name__}: {exc}"


def outcome(unit: Unit, status: str, result: dict[str, Any] | None = None,
            error: str | None = None) -> TaskOutcome:
    return TaskOutcome(unit.model.name, unit.task.spec.name, unit.task.spec.type, status, result, error)


def with_engine_options(config: RunConfig) -> RunConfig:
    """`config` with its device and dtype settled before any model is resolved.

    Local runs: the device list is checked and written canonically (`cuda` -> `cuda:0,1` on a
    two-GPU machine) and `--dtype auto` becomes the dtype it picks on that device, so every result
    records the dtype actually used (it is part of the model settings, hence decisive). Ray runs:
    the workers' devices are not this machine's, so the device stays as given (the Ray executor
    checks it) and `--dtype auto` is refused: a dtype picked here could differ from a worker's.
    """
    opts = config.model_options
    if config.ray is not None:
        if opts.dtype == "auto":
            raise UserError("--dtype auto with --ray: the workers' hardware is not known here; "
                            "give --dtype fp32, fp16 or bf16")
        return config
    devices = parse_devices(opts.device)
    opts = replace(opts, device=device_spec(devices), dtype=resolve_dtype(opts.dtype, devices))
    return replace(config, model_options=opts)


def load_data(plan: Plan, config: RunConfig) -> tuple[dict[str, TaskData], dict[str, BaseException]]:
    """({task: data}, {task: why its hub data cannot be loaded}) for every planned task, before any
    encoding (raises UserError by the policy of step 2 in the module docstring); `--quick` replaces
    each task's data by its quick subsample (`cmteb.data.quick`)."""
    loaded: dict[str, TaskData] = {}
    failed: dict[str, BaseException] = {}
    for t in plan.tasks:
        try:
            data = load_task_data(t.spec, yaml_path=t.yaml_path, required_splits=list(t.required),
                                  optional_splits=list(t.optional), data_dir=config.data_dir)
        except Exception as exc:  # one task's data must not stop the others
            log.debug("task %s: data not loaded", t.spec.name, exc_info=True)
            failed[t.spec.name] = exc
            continue
        loaded[t.spec.name] = quick_subsample(data) if config.quick else data
    local_faults = {task: exc for task, exc in failed.items() if isinstance(exc, LocalDataError)}
    stopping = local_faults or (failed if not loaded else {})
    if stopping:
        first = next(iter(stopping.values()))
        if len(stopping) == 1 and isinstance(first, UserError):
            raise first
        if all(isinstance(exc, HubUnreachableError) for exc in stopping.values()):  # one cause, one line
            tasks = ", ".join(stopping)
            raise HubUnreachableError(f"cannot reach the Hugging Face hub for the data of {tasks}",
                                      first.hint)  # type: ignore[union-attr]
        raise UserErrors(failure_message(task, exc) for task, exc in stopping.items())
    return loaded, failed


def remove_stale_temp_files(result_files: Iterable[Path]) -> None:
    """Delete temporary files a killed run left beside these (locked) results."""
    for path in result_files:
        for stale in [*stale_temp_files(path), *stale_temp_files(samples_path(path)),
                      *stale_temp_files(run_path(path))]:
            log.info("removing %s (left by an interrupted run)", stale)
            stale.unlink(missing_ok=True)


def skip_finished(units: list[Unit], plan: Plan, data: dict[str, TaskData], config: RunConfig,
                  report: RunReport) -> list[Unit]:
    """The units still to do; each one already finished with this run's settings is reported as
    skipped (the one place finished results are read)."""
    todo = []
    for unit in units:
        done = finished_result(unit.task, data[unit.task.spec.name], unit.model, plan, config)
        if done is None:
            todo.append(unit)
        else:
            report.outcomes.append(outcome(unit, "skipped", done))
    return todo


@dataclass
class UnitFinisher:
    """The run's `Finish` (`pipeline.task`): writes each unit's result and records its outcome.

    Failure policy, for every executor: a UserError propagates (the run stops, exit 2); a result
    that cannot be written records the failure, sets `report.stopped` and raises `RunStopped`;
    any other exception fails only that unit, with a one-line message.
    """

    plan: Plan
    data: dict[str, TaskData]
    config: RunConfig
    report: RunReport

    def __call__(self, unit: Unit, scores: Callable[[], TaskScores]) -> bool:
        spec, report = unit.task.spec, self.report
        report.running = f"{unit.model.name} / {spec.name}"
        try:
            doc = write_task(unit.task, self.data[spec.name], unit.model, self.plan, self.config, scores())
        except UserError:
            raise
        except WriteError as exc:
            report.stopped = f"task {spec.name}: {exc}"
            finished = outcome(unit, "failed", error=f"{report.stopped} (run stopped; rerun the same "
                                                      "command to resume)")
        except Exception as exc:  # a task failure must not stop the other tasks
            log.debug("task %s failed", spec.name, exc_info=True)
            finished = outcome(unit, "failed", error=failure_message(spec.name, exc))
        else:
            finished = outcome(unit, "done", doc)
        report.running = None
        report.outcomes.append(finished)
        if report.stopped:
            raise RunStopped(report.stopped)
        return finished.status == "done"


def run_locally(units: list[Unit], plan: Plan, data: dict[str, TaskData], config: RunConfig,
                finish: Finish) -> None:
    """The local executor: the units one after the other, in run order, sharing the run's
    embedding stores (texts shared between tasks are encoded once)."""
    with RunStores(cache_dir=config.cache_dir, use_cache=config.use_cache) as stores:
        for unit in units:
            finish(unit, partial(score_task, unit.task, data[unit.task.spec.name], unit.model, plan,
                                 config, stores))


def _ray_executor() -> Executor:
    from cmteb.distributed.ray_executor import run_on_ray

    return run_on_ray


# Executors by name (`RunConfig.executor`); each is imported only when a run uses it.
EXECUTORS: dict[str, Callable[[], Executor]] = {"local": lambda: run_locally, "ray": _ray_executor}


def run(config: RunConfig, *, registry: TaskRegistry | None = None,
        resolved: list[ResolvedModel] | None = None) -> RunReport:
    """Run `config` (module docstring); raises UserError for invalid input, records task failures
    in the report (outcomes in run order). `resolved`: models already resolved (in-memory ones)."""
    if not config.models and not resolved:
        raise UserError("no model given (use --model)")
    registry = registry or TaskRegistry()
    get_searcher(config.search)  # an unknown search, or faiss not installed: refused before any work
    config = with_engine_options(config)
    plan = plan_tasks(config.selection, config.protocol, registry)
    models = resolved or [resolve_model(m, config.model_options) for m in config.models]
    models = prepare_models(models, plan, config)
    units = [u for u in select_units(models, plan, config.shard, announce=config.show_progress)
             if u.model.takes(u.task.spec.type)]
    plan = plan_for_units(plan, units)
    report = RunReport(plan, planned=len(units))
    try:
        data, unloadable = load_data(plan, config)
        for unit in units:
            if unit.task.spec.name in unloadable:
                report.outcomes.append(outcome(unit, "failed", error=failure_message(
                    unit.task.spec.name, unloadable[unit.task.spec.name])))
        units_with_data = [u for u in units if u.task.spec.name in data]
        with ResultLocks(config.output_dir) as locks:
            result_files = [result_file(u.model, u.task.spec.name, config) for u in units_with_data]
            locks.acquire(result_files)
            remove_stale_temp_files(result_files)
            todo = skip_finished(units_with_data, plan, data, config, report)
            if todo:
                execute = EXECUTORS[config.executor]()
                execute(todo, plan, data, config, UnitFinisher(plan, data, config, report))
    except RunStopped:
        pass
    except KeyboardInterrupt:
        raise RunInterrupted(_in_run_order(report, units)) from None
    return _in_run_order(report, units)


def _in_run_order(report: RunReport, units: list[Unit]) -> RunReport:
    rank = {(u.model.name, u.task.spec.name): i for i, u in enumerate(units)}
    report.outcomes.sort(key=lambda o: rank.get((o.model, o.task), len(rank)))
    return report
