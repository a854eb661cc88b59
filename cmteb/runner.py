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
from pathlib import Path
from typing import Any

from cmteb.config import RunConfig
from cmteb.data.loader import load_task_data
from cmteb.data.quick import quick_record, quick_revision, quick_subsample
from cmteb.data.types import TaskData
from cmteb.errors import CmtebError, TaskError, UserError
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


def task_result_path(config: RunConfig, model: ResolvedModel, task: str) -> Path:
    """`OUTPUT/{org__model}/{revision}/{Task}.json`; quick runs use `{revision}-quick`."""
    revision = quick_revision(model.revision) if config.quick else model.revision
    return result_path(config.output_dir, model.folder_name, revision, task)


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
        "quick_sample": quick_record() if config.quick else None,
        "batch_size": config.batch_size,
        "cmteb_version": provenance.cmteb_version(),
        "git_sha": provenance.git_sha(),
        "libraries": provenance.library_versions(),
        "hardware": provenance.hardware(config.model_options.device),
        "notes": list(data.notes),
    }


def evaluate_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig
) -> dict[str, Any]:
    """Evaluate every loaded split of one task and write its result; returns the result doc."""
    spec = planned.spec
    block = cmteb_block(planned, data, model, plan, config)
    path = task_result_path(config, model, spec.name)
    embedder = TaskEmbedder(model.load(), model.policy, spec, config.batch_size, model.name)
    protocol = get_protocol(plan.protocol)
    start = time.perf_counter()
    splits: dict[str, SplitResult] = {}
    for split, split_data in data.splits.items():
        log.info("%s: %s / %s", model.name, spec.name, split)
        splits[split] = evaluate_split(spec, split_data, embedder, protocol)
    elapsed = time.perf_counter() - start
    block["encoding"] = {"texts": embedder.stats.texts, "unique_texts": embedder.stats.unique_texts}
    block["timings"] = {"evaluation_s": round(elapsed, 3)}
    doc = build_result(spec, protocol=plan.protocol, splits=splits, cmteb_block=block,
                       evaluation_time=elapsed)
    write_json_atomic(samples_path(path), build_samples(spec, splits), indent=None)
    write_json_atomic(path, doc)
    return doc


def run_model(
    model: ResolvedModel, plan: Plan, data: dict[str, TaskData], config: RunConfig,
    report: RunReport,
) -> None:
    for planned in plan.tasks:
        spec = planned.spec
        block = cmteb_block(planned, data[spec.name], model, plan, config)
        path = task_result_path(config, model, spec.name)
        if not config.overwrite:
            done = existing_result(path, decisive(block))
            if done is not None:
                report.outcomes.append(TaskOutcome(model.name, spec.name, spec.type, "skipped", done))
                continue
        try:
            doc = evaluate_task(planned, data[spec.name], model, plan, config)
        except UserError:
            raise
        except (TaskError, CmtebError) as exc:
            report.outcomes.append(TaskOutcome(model.name, spec.name, spec.type, "failed", error=str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - a task failure must not stop the other tasks
            log.debug("task %s failed", spec.name, exc_info=True)
            msg = f"task {spec.name}: {type(exc).__name__}: {exc}"
            report.outcomes.append(TaskOutcome(model.name, spec.name, spec.type, "failed", error=msg))
            continue
        report.outcomes.append(TaskOutcome(model.name, spec.name, spec.type, "done", doc))


def run(config: RunConfig, *, registry: TaskRegistry | None = None,
        resolved: list[ResolvedModel] | None = None) -> RunReport:
    """Run `config`; raises UserError for invalid input, records task failures in the report."""
    if not config.models and not resolved:
        raise UserError("no model given (use --model)")
    registry = registry or TaskRegistry()
    plan = plan_tasks(config.selection, config.protocol, registry)
    models = resolved or [resolve_model(m, config.model_options) for m in config.models]
    data = load_all_data(plan, config)
    report = RunReport(plan)
    try:
        for model in models:
            run_model(model, plan, data, config, report)
    except KeyboardInterrupt:
        raise RunInterrupted(report) from None
    return report
