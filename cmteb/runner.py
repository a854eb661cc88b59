"""The run pipeline behind `cmteb run` and `cmteb.evaluate`: plan, validate data, evaluate, write.

Order of work (no back and forth): resolve tasks and models (unknown names stop the run before
anything else), load and validate every task's data (a bad file stops the run before any encoding),
select the run's (model, task) units (all, or one `--shard`'s), lock every result file the run
may write and check the finished ones (held locks, corrupt results
and results made with other settings stop the run before any encoding), then per model and task:
reuse a finished result, else evaluate each split and write the result atomically (here, one
unit after the other, or on Ray workers with `--ray`; the driver writes every result). A task that
fails is reported and the others still run; a result that cannot be written (disk full) stops the
run, since later results could not be written either. Rerunning the same command resumes.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmteb.config import RunConfig
from cmteb.data.loader import load_task_data
from cmteb.data.quick import quick_record, quick_subsample, results_revision
from cmteb.data.types import TaskData
from cmteb.distributed.units import Unit, plan_for_units, select_units
from cmteb.engine.progress import TaskProgress
from cmteb.engine.run_options import with_engine_options
from cmteb.errors import CmtebError, UserError
from cmteb.evaluators import SplitResult, texts_to_embed
from cmteb.evaluators._faiss_search import import_faiss
from cmteb.evaluators._search import SEARCH_BACKENDS, search_backend
from cmteb.models.contract import LazyAdapter
from cmteb.models.embed_store import RunStores
from cmteb.models.embedder import TaskEmbedder
from cmteb.models.resolve import resolve_model
from cmteb.models.stages import prepare_models, run_depth
from cmteb.models.types import ResolvedModel
from cmteb.protocols import get_protocol
from cmteb.results import provenance
from cmteb.results.io import WriteError, stale_temp_files, write_json_atomic
from cmteb.results.locks import ResultLocks
from cmteb.results.runs import run_path, write_runs
from cmteb.results.task_result import (
    build_result,
    build_samples,
    data_record,
    decisive,
    existing_result,
    result_path,
    samples_path,
)
from cmteb.scoring import encoding_report, score_split
from cmteb.selection import Plan, PlannedTask, plan_tasks
from cmteb.tasks.registry import TaskRegistry

log = logging.getLogger("cmteb")


class RunInterrupted(Exception):
    """Ctrl-C during a run; carries what finished so the CLI can say so."""

    def __init__(self, report: RunReport) -> None:
        super().__init__("interrupted")
        self.report = report


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


def load_all_data(plan: Plan, config: RunConfig) -> dict[str, TaskData]:
    """Load and validate every planned task's data before any encoding (UserError on a fault);
    `--quick` replaces each task's data by its quick subsample (`cmteb.data.quick`)."""
    loaded = {
        t.spec.name: load_task_data(
            t.spec, yaml_path=t.yaml_path, required_splits=list(t.required),
            optional_splits=list(t.optional), data_dir=config.data_dir,
        )
        for t in plan.tasks
    }
    if config.quick:
        loaded = {name: quick_subsample(data) for name, data in loaded.items()}
    return loaded


def cmteb_block(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig
) -> dict[str, Any]:
    """Everything that decided the score (see DECISIVE_KEYS) plus provenance."""
    spec = planned.spec
    return {
        "protocol": plan.protocol,
        "main_score_metric": spec.main_metric(plan.protocol),  # type: ignore[arg-type]
        "task_version": spec.version,
        "task_type": spec.type,
        "splits": sorted(data.splits),
        "model": {"name": model.name, "revision": model.revision, "adapter": model.adapter},
        "text_policy": model.policy.record(spec),
        "model_settings": model.settings,
        "search": config.search if spec.type == "Retrieval" else None,
        "data": data_record(data.source),
        "quick": config.quick,
        "quick_sample": quick_record() if config.quick else None,
        "batch_size": config.batch_size,
        "cmteb_version": provenance.cmteb_version(),
        "git_sha": provenance.git_sha(),
        "libraries": provenance.library_versions(),
        "hardware": provenance.hardware(config.model_options.device),
        "notes": list(data.notes),
    }


def check_search(backend: str) -> None:
    """UserError for an unknown search backend, or for faiss when it is not installed."""
    if backend not in SEARCH_BACKENDS:
        raise UserError(f"unknown search {backend!r}; choose one of {', '.join(SEARCH_BACKENDS)}")
    if backend == "faiss":
        import_faiss()


def result_file(model: ResolvedModel, task: str, config: RunConfig) -> Path:
    """`OUTPUT/{org__model}/{revision}/{Task}.json`; quick runs use `{revision}-quick`."""
    revision = results_revision(model.revision, quick=config.quick)
    return result_path(config.output_dir, model.folder_name, revision, task)


@dataclass
class TaskScores:
    """One evaluated task before it is written: per-split results, encoding counts, seconds spent.

    `encoding`: the engine's counts (cache hits, texts or pairs encoded, seconds; not bm25) and the
    adapter's (e.g. texts cut at the max length), stored with the texts counts, dtype and device
    as `cmteb.encoding`; `execution`: extra provenance from a distributed backend (the Ray
    worker's hardware), stored as `cmteb.execution`.
    """

    splits: dict[str, SplitResult]
    texts: int
    unique_texts: int
    seconds: float
    execution: dict[str, Any] | None = None
    encoding: dict[str, Any] = field(default_factory=dict)


def task_embedder(planned: PlannedTask, model: ResolvedModel, config: RunConfig,
                  stores: RunStores | None = None) -> TaskEmbedder:
    """The embedding call of one (model, task); every backend builds it here. The model loads on
    its first encode (a task served wholly from the cache never loads it); `stores`: the run's
    embedding stores (None: no store, each call dedupes on its own)."""
    return TaskEmbedder(LazyAdapter(model.load), model.policy, planned.spec, config.batch_size,
                        model.name, store=stores.for_model(model) if stores is not None else None,
                        progress=TaskProgress(planned.spec.name, enabled=config.show_progress,
                                              unit="pairs" if model.kind == "cross-encoder" else "texts"),
                        token_budget=config.token_budget,
                        segment_texts=model.store_every)


def score_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig,
    stores: RunStores | None = None,
) -> TaskScores:
    """Evaluate every loaded split of one task (no writing: Ray workers call this too)."""
    spec = planned.spec
    embedder = task_embedder(planned, model, config, stores)
    if model.kind == "bi-encoder" and embedder.progress is not None and embedder.progress.enabled:
        embedder.progress.plan(sum(texts_to_embed(spec, d) for d in data.splits.values()))
    protocol = get_protocol(plan.protocol)
    start = time.perf_counter()
    splits: dict[str, SplitResult] = {}
    try:
        with search_backend(config.search):
            for split, split_data in data.splits.items():
                log.info("%s: %s / %s", model.name, spec.name, split)
                splits[split] = score_split(model, spec, split, split_data, embedder, protocol)
    finally:
        embedder.close()
    engine = embedder.stats.engine_counts() if model.kind != "lexical" else {}  # bm25 uses no store
    return TaskScores(splits, embedder.stats.texts, embedder.stats.unique_texts,
                      time.perf_counter() - start, encoding={**engine, **encoding_report(model)})


def write_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig,
    scores: TaskScores,
) -> dict[str, Any]:
    """Write one task's samples, per-query run (retrieval) and result atomically, result last."""
    spec = planned.spec
    block = cmteb_block(planned, data, model, plan, config)
    block["encoding"] = {"texts": scores.texts, "unique_texts": scores.unique_texts, **scores.encoding,
                         "dtype": model.settings.get("dtype", "adapter's own"),
                         "device": config.model_options.device}
    block["timings"] = {"evaluation_s": round(scores.seconds, 3)}
    if scores.execution:
        block["execution"] = scores.execution
    doc = build_result(spec, protocol=plan.protocol, splits=scores.splits, cmteb_block=block,
                       evaluation_time=scores.seconds)
    path = result_file(model, spec.name, config)
    write_json_atomic(samples_path(path), build_samples(spec, scores.splits), indent=None)
    runs = {name: res.run for name, res in scores.splits.items() if res.run is not None}
    if runs:
        write_runs(path, spec.name, plan.protocol, runs, run_depth(config.model_options))
    write_json_atomic(path, doc)
    return doc


def evaluate_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig,
    stores: RunStores | None = None,
) -> dict[str, Any]:
    """Evaluate every loaded split of one task and write its result; returns the result doc."""
    return write_task(planned, data, model, plan, config,
                      score_task(planned, data, model, plan, config, stores))


def finished_result(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig
) -> dict[str, Any] | None:
    """The finished result of this (model, task) with equal decisive settings, else None.

    Raises UserError for a result that is corrupt, not a cmteb result, or made with other
    settings (see `existing_result`); with `--overwrite`, finished results are not read at all.
    """
    if config.overwrite:
        return None
    block = cmteb_block(planned, data, model, plan, config)
    return existing_result(result_file(model, planned.spec.name, config), decisive(block))


def finished_results(
    units: list[Unit], data: dict[str, TaskData], plan: Plan, config: RunConfig
) -> dict[str, dict[str, Any]]:
    """{unit key: result} of the units already finished with this run's settings."""
    done = {}
    for unit in units:
        doc = finished_result(unit.task, data[unit.task.spec.name], unit.model, plan, config)
        if doc is not None:
            done[unit.key] = doc
    return done


def remove_stale_temp_files(result_files: list[Path]) -> None:
    """Delete temporary files a killed run left beside these (locked) results."""
    for path in result_files:
        for stale in [*stale_temp_files(path), *stale_temp_files(samples_path(path)),
                      *stale_temp_files(run_path(path))]:
            log.info("removing %s (left by an interrupted run)", stale)
            stale.unlink(missing_ok=True)


def failure_message(task: str, exc: BaseException) -> str:
    """One line for a failed task: cmteb's own errors already name task and model."""
    if isinstance(exc, CmtebError):
        return str(exc)
    return f"task {task}: {type(exc).__name__}: {exc}"


def attempt_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig,
    report: RunReport, stores: RunStores | None = None,
) -> TaskOutcome:
    """Evaluate one task; a failure becomes a "failed" outcome (a write failure also sets
    `report.stopped`). UserError and KeyboardInterrupt propagate."""
    spec = planned.spec

    def failed(message: str) -> TaskOutcome:
        return TaskOutcome(model.name, spec.name, spec.type, "failed", error=message)

    try:
        doc = evaluate_task(planned, data, model, plan, config, stores)
    except UserError:
        raise
    except WriteError as exc:
        report.stopped = f"task {spec.name}: {exc}"
        return failed(f"{report.stopped} (run stopped; rerun the same command to resume)")
    except Exception as exc:  # noqa: BLE001 - a task failure must not stop the other tasks
        log.debug("task %s failed", spec.name, exc_info=True)
        return failed(failure_message(spec.name, exc))
    return TaskOutcome(model.name, spec.name, spec.type, "done", doc)


def run_units(
    units: list[Unit], plan: Plan, data: dict[str, TaskData], config: RunConfig,
    report: RunReport, done: dict[str, dict[str, Any]],
) -> None:
    """The units one after the other, in run order, sharing the run's embedding stores (texts
    shared between tasks are encoded once); stops early when `report.stopped` is set."""
    with RunStores(cache_dir=config.cache_dir, use_cache=config.use_cache) as stores:
        for unit in units:
            model, spec = unit.model, unit.task.spec
            if unit.key in done:
                report.outcomes.append(TaskOutcome(model.name, spec.name, spec.type, "skipped",
                                                   done[unit.key]))
                continue
            report.running = f"{model.name} / {spec.name}"
            outcome = attempt_task(unit.task, data[spec.name], model, plan, config, report, stores)
            report.running = None
            report.outcomes.append(outcome)
            if report.stopped:
                return


def run(config: RunConfig, *, registry: TaskRegistry | None = None,
        resolved: list[ResolvedModel] | None = None) -> RunReport:
    """Run `config`; raises UserError for invalid input, records task failures in the report.

    The work is the (model, task) units of `cmteb.distributed.units` that the model can take: all
    of them, or the slice `config.shard` selects; they run here one after the other, or on Ray
    when `config.ray` is set.
    """
    if not config.models and not resolved:
        raise UserError("no model given (use --model)")
    registry = registry or TaskRegistry()
    check_search(config.search)
    config = with_engine_options(config)
    plan = plan_tasks(config.selection, config.protocol, registry)
    models = resolved or [resolve_model(m, config.model_options) for m in config.models]
    models = prepare_models(models, plan, config)
    units = [u for u in select_units(models, plan, config.shard, announce=config.show_progress)
             if u.model.takes(u.task.spec.type)]
    plan = plan_for_units(plan, units)
    report = RunReport(plan, planned=len(units))
    try:
        data = load_all_data(plan, config)
        result_files = [result_file(u.model, u.task.spec.name, config) for u in units]
        with ResultLocks(config.output_dir) as locks:
            locks.acquire(result_files)
            remove_stale_temp_files(result_files)
            done = finished_results(units, data, plan, config)
            if config.ray is not None:
                from cmteb.distributed.ray_backend import run_on_ray

                run_on_ray(units, plan, data, config, report)
            else:
                run_units(units, plan, data, config, report, done)
    except KeyboardInterrupt:
        raise RunInterrupted(report) from None
    return report
