"""The run pipeline behind `cmteb run` and `cmteb.evaluate`: plan, validate data, evaluate, write.

Order of work (no back and forth): resolve tasks and models (unknown names stop the run before
anything else), load and validate every task's data (a bad file stops the run before any encoding),
lock every result file the run may write and check the finished ones (held locks, corrupt results
and results made with other settings stop the run before any encoding), then per model and task:
reuse a finished result, else evaluate each split and write the result atomically. A task that
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
from cmteb.data.types import TaskData
from cmteb.errors import CmtebError, UserError
from cmteb.evaluators import SplitResult
from cmteb.models.embedder import TaskEmbedder
from cmteb.models.resolve import ResolvedModel, resolve_model
from cmteb.models.stages import prepare_models, run_depth
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


def result_file(model: ResolvedModel, task: str, config: RunConfig) -> Path:
    return result_path(config.output_dir, model.folder_name, model.revision, task)


def evaluate_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig
) -> dict[str, Any]:
    """Evaluate every loaded split of one task and write its result; returns the result doc."""
    spec = planned.spec
    block = cmteb_block(planned, data, model, plan, config)
    path = result_file(model, spec.name, config)
    embedder = TaskEmbedder(model.load(), model.policy, spec, config.batch_size, model.name)
    protocol = get_protocol(plan.protocol)
    start = time.perf_counter()
    splits: dict[str, SplitResult] = {}
    for split, split_data in data.splits.items():
        log.info("%s: %s / %s", model.name, spec.name, split)
        splits[split] = score_split(model, spec, split, split_data, embedder, protocol)
    elapsed = time.perf_counter() - start
    block["encoding"] = {"texts": embedder.stats.texts, "unique_texts": embedder.stats.unique_texts}
    block["encoding"].update(encoding_report(model))
    block["timings"] = {"evaluation_s": round(elapsed, 3)}
    doc = build_result(spec, protocol=plan.protocol, splits=splits, cmteb_block=block,
                       evaluation_time=elapsed)
    write_json_atomic(samples_path(path), build_samples(spec, splits), indent=None)
    runs = {name: res.run for name, res in splits.items() if res.run is not None}
    if runs:
        write_runs(path, spec.name, plan.protocol, runs, run_depth(config.model_options))
    write_json_atomic(path, doc)
    return doc


def finished_results(
    models: list[ResolvedModel], plan: Plan, data: dict[str, TaskData], config: RunConfig
) -> dict[tuple[str, str], dict[str, Any]]:
    """{(model name, task): result} of finished tasks whose decisive settings equal this run's.

    Raises UserError for a result that is corrupt, not a cmteb result, or made with other
    settings (see `existing_result`); with `--overwrite`, finished results are not read at all.
    """
    done: dict[tuple[str, str], dict[str, Any]] = {}
    if config.overwrite:
        return done
    for model in models:
        for planned in plan.tasks:
            if not model.takes(planned.spec.type):
                continue
            block = cmteb_block(planned, data[planned.spec.name], model, plan, config)
            doc = existing_result(result_file(model, planned.spec.name, config), decisive(block))
            if doc is not None:
                done[(model.name, planned.spec.name)] = doc
    return done


def remove_stale_temp_files(result_files: list[Path]) -> None:
    """Delete temporary files a killed run left beside these (locked) results."""
    for path in result_files:
        for stale in [*stale_temp_files(path), *stale_temp_files(samples_path(path)),
                      *stale_temp_files(run_path(path))]:
            log.info("removing %s (left by an interrupted run)", stale)
            stale.unlink(missing_ok=True)


def attempt_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig,
    report: RunReport,
) -> TaskOutcome:
    """Evaluate one task; a failure becomes a "failed" outcome (a write failure also sets
    `report.stopped`). UserError and KeyboardInterrupt propagate."""
    spec = planned.spec

    def failed(message: str) -> TaskOutcome:
        return TaskOutcome(model.name, spec.name, spec.type, "failed", error=message)

    try:
        doc = evaluate_task(planned, data, model, plan, config)
    except UserError:
        raise
    except WriteError as exc:
        report.stopped = f"task {spec.name}: {exc}"
        return failed(f"{report.stopped} (run stopped; rerun the same command to resume)")
    except CmtebError as exc:
        return failed(str(exc))
    except Exception as exc:  # noqa: BLE001 - a task failure must not stop the other tasks
        log.debug("task %s failed", spec.name, exc_info=True)
        return failed(f"task {spec.name}: {type(exc).__name__}: {exc}")
    return TaskOutcome(model.name, spec.name, spec.type, "done", doc)


def run_model(
    model: ResolvedModel, plan: Plan, data: dict[str, TaskData], config: RunConfig,
    report: RunReport, done: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """Every planned task of one model, in plan order; stops early when `report.stopped` is set."""
    for planned in plan.tasks:
        spec = planned.spec
        if not model.takes(spec.type):
            continue
        if (model.name, spec.name) in done:
            report.outcomes.append(TaskOutcome(model.name, spec.name, spec.type, "skipped",
                                               done[(model.name, spec.name)]))
            continue
        report.running = f"{model.name} / {spec.name}"
        outcome = attempt_task(planned, data[spec.name], model, plan, config, report)
        report.running = None
        report.outcomes.append(outcome)
        if report.stopped:
            return


def run(config: RunConfig, *, registry: TaskRegistry | None = None,
        resolved: list[ResolvedModel] | None = None) -> RunReport:
    """Run `config`; raises UserError for invalid input, records task failures in the report."""
    if not config.models and not resolved:
        raise UserError("no model given (use --model)")
    registry = registry or TaskRegistry()
    plan = plan_tasks(config.selection, config.protocol, registry)
    models = resolved or [resolve_model(m, config.model_options) for m in config.models]
    models = prepare_models(models, plan, config)
    report = RunReport(plan, planned=sum(m.takes(t.spec.type) for m in models for t in plan.tasks))
    try:
        data = load_all_data(plan, config)
        result_files = list(dict.fromkeys(
            result_file(m, t.spec.name, config) for m in models for t in plan.tasks
            if m.takes(t.spec.type)))
        with ResultLocks(config.output_dir) as locks:
            locks.acquire(result_files)
            remove_stale_temp_files(result_files)
            done = finished_results(models, plan, data, config)
            for model in models:
                run_model(model, plan, data, config, report, done)
                if report.stopped:
                    break
    except KeyboardInterrupt:
        raise RunInterrupted(report) from None
    return report
