"""The run pipeline behind `cmteb run` and `cmteb.evaluate`: plan, validate data, evaluate, write.

Order of work (no back and forth): resolve tasks and models (unknown names stop the run before
anything else), load and validate every task's data (a bad file stops the run before any encoding),
then per model and task: reuse a finished result with equal settings, else evaluate each split and
write the result atomically. A task that fails is reported and the others still run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from cmteb.config import RunConfig
from cmteb.data.loader import load_task_data
from cmteb.data.types import TaskData
from cmteb.distributed.units import plan_for_units, select_units
from cmteb.errors import CmtebError, UserError
from cmteb.evaluators import SplitResult, evaluate_split
from cmteb.models.embedder import TaskEmbedder
from cmteb.models.resolve import ResolvedModel, resolve_model
from cmteb.protocols import get_protocol
from cmteb.results import provenance
from cmteb.results.io import write_json_atomic
from cmteb.results.task_result import (
    build_result,
    build_samples,
    data_record,
    decisive,
    existing_result,
    result_path,
    samples_path,
)
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
    plan: Plan
    outcomes: list[TaskOutcome] = field(default_factory=list)

    @property
    def failures(self) -> list[TaskOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def load_all_data(plan: Plan, config: RunConfig) -> dict[str, TaskData]:
    """Load and validate every planned task's data before any encoding (UserError on a fault)."""
    return {
        t.spec.name: load_task_data(
            t.spec, yaml_path=t.yaml_path, required_splits=list(t.required),
            optional_splits=list(t.optional), data_dir=config.data_dir,
        )
        for t in plan.tasks
    }


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
        "data": data_record(data.source),
        "quick": config.quick,
        "batch_size": config.batch_size,
        "cmteb_version": provenance.cmteb_version(),
        "git_sha": provenance.git_sha(),
        "libraries": provenance.library_versions(),
        "hardware": provenance.hardware(config.model_options.device),
        "notes": list(data.notes),
    }


@dataclass
class TaskScores:
    """One evaluated task before it is written: per-split results, encoding counts, seconds spent.

    `execution` is extra provenance from a distributed backend (e.g. the Ray worker's hardware),
    stored as the result's `cmteb.execution`; None for a local run.
    """

    splits: dict[str, SplitResult]
    texts: int
    unique_texts: int
    seconds: float
    execution: dict[str, Any] | None = None


def task_embedder(planned: PlannedTask, model: ResolvedModel, config: RunConfig) -> TaskEmbedder:
    """The embedding call of one (model, task); every backend builds it here."""
    return TaskEmbedder(model.load(), model.policy, planned.spec, config.batch_size, model.name)


def score_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig
) -> TaskScores:
    """Evaluate every loaded split of one task (no writing: Ray workers call this too)."""
    spec = planned.spec
    embedder = task_embedder(planned, model, config)
    protocol = get_protocol(plan.protocol)
    start = time.perf_counter()
    splits: dict[str, SplitResult] = {}
    for split, split_data in data.splits.items():
        log.info("%s: %s / %s", model.name, spec.name, split)
        splits[split] = evaluate_split(spec, split_data, embedder, protocol)
    return TaskScores(splits, embedder.stats.texts, embedder.stats.unique_texts,
                      time.perf_counter() - start)


def write_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig,
    scores: TaskScores,
) -> dict[str, Any]:
    """Write one task's result and samples atomically; returns the result doc."""
    spec = planned.spec
    block = cmteb_block(planned, data, model, plan, config)
    block["encoding"] = {"texts": scores.texts, "unique_texts": scores.unique_texts}
    block["timings"] = {"evaluation_s": round(scores.seconds, 3)}
    if scores.execution:
        block["execution"] = scores.execution
    doc = build_result(spec, protocol=plan.protocol, splits=scores.splits, cmteb_block=block,
                       evaluation_time=scores.seconds)
    path = result_path(config.output_dir, model.folder_name, model.revision, spec.name)
    write_json_atomic(samples_path(path), build_samples(spec, scores.splits), indent=None)
    write_json_atomic(path, doc)
    return doc


def evaluate_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig
) -> dict[str, Any]:
    """Evaluate every loaded split of one task and write its result; returns the result doc."""
    return write_task(planned, data, model, plan, config, score_task(planned, data, model, plan, config))


def finished_result(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig
) -> dict[str, Any] | None:
    """The finished result of this (model, task) with equal decisive settings, else None.

    Raises UserError when a result exists with different settings (see `existing_result`).
    """
    if config.overwrite:
        return None
    block = cmteb_block(planned, data, model, plan, config)
    path = result_path(config.output_dir, model.folder_name, model.revision, planned.spec.name)
    return existing_result(path, decisive(block))


def failure_message(task: str, exc: BaseException) -> str:
    """One line for a failed task: cmteb's own errors already name task and model."""
    if isinstance(exc, CmtebError):
        return str(exc)
    return f"task {task}: {type(exc).__name__}: {exc}"


def run_unit(
    model: ResolvedModel, planned: PlannedTask, data: TaskData, plan: Plan, config: RunConfig
) -> TaskOutcome:
    """One (model, task): skip it if finished, else evaluate and write it; a failure is an outcome."""
    spec = planned.spec
    done = finished_result(planned, data, model, plan, config)
    if done is not None:
        return TaskOutcome(model.name, spec.name, spec.type, "skipped", done)
    try:
        doc = evaluate_task(planned, data, model, plan, config)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - a task failure must not stop the other tasks
        log.debug("task %s failed", spec.name, exc_info=True)
        return TaskOutcome(model.name, spec.name, spec.type, "failed", error=failure_message(spec.name, exc))
    return TaskOutcome(model.name, spec.name, spec.type, "done", doc)


def run(config: RunConfig, *, registry: TaskRegistry | None = None,
        resolved: list[ResolvedModel] | None = None) -> RunReport:
    """Run `config`; raises UserError for invalid input, records task failures in the report.

    The work is the (model, task) units of `cmteb.distributed.units`: all of them, or the slice
    `config.shard` selects; they run here one after the other, or on Ray when `config.ray` is set.
    """
    if not config.models and not resolved:
        raise UserError("no model given (use --model)")
    registry = registry or TaskRegistry()
    plan = plan_tasks(config.selection, config.protocol, registry)
    models = resolved or [resolve_model(m, config.model_options) for m in config.models]
    units = select_units(models, plan, config.shard, announce=config.show_progress)
    plan = plan_for_units(plan, units)
    data = load_all_data(plan, config)
    report = RunReport(plan)
    try:
        if config.ray is not None:
            from cmteb.distributed.ray_backend import run_on_ray

            run_on_ray(units, plan, data, config, report)
        else:
            for unit in units:
                report.outcomes.append(
                    run_unit(unit.model, unit.task, data[unit.task.spec.name], plan, config))
    except KeyboardInterrupt:
        raise RunInterrupted(report) from None
    return report
