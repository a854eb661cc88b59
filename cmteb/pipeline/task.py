"""One unit of a run, i.e. one (model, task): embed, score, and write its result; and how an
executor hands a unit back to the run.

Every executor (this process, or Ray workers) scores through `score_task` (or, for a retrieval
task split in corpus chunks on Ray, the same embedder and searcher per chunk) and returns the
unit's `TaskScores`; only the run writes them (`write_task`: samples, per-query run, result last,
each atomically). `finished_result` is the rule for "already done": same decisive settings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmteb.config import RunConfig
from cmteb.data.quick import quick_record, results_revision
from cmteb.data.types import TaskData
from cmteb.engine.progress import TaskProgress
from cmteb.evaluators import SplitResult
from cmteb.evaluators.dispatch import texts_to_embed
from cmteb.evaluators.search import get_searcher
from cmteb.models.contract import LazyAdapter
from cmteb.models.embed_store import RunStores
from cmteb.models.embedder import TaskEmbedder
from cmteb.models.stages import run_depth
from cmteb.models.types import ModelKind, ResolvedModel
from cmteb.pipeline.plan import Plan, PlannedTask, Unit
from cmteb.protocols import get_protocol
from cmteb.results import provenance
from cmteb.results.io import write_json_atomic
from cmteb.results.runs import write_runs
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

log = logging.getLogger("cmteb")


@dataclass
class TaskScores:
    """One evaluated task before it is written: per-split results, encoding counts, seconds spent.

    `encoding`: the engine's counts (cache hits, texts or pairs encoded, seconds; not bm25) and the
    adapter's (e.g. texts cut at the max length), stored with the texts counts, dtype and device
    as `cmteb.encoding`; `execution`: extra provenance from a distributed executor (the Ray
    worker's hardware), stored as `cmteb.execution`.
    """

    splits: dict[str, SplitResult]
    texts: int
    unique_texts: int
    seconds: float
    execution: dict[str, Any] | None = None
    encoding: dict[str, Any] = field(default_factory=dict)


# An executor reports each unit it ran with `finish(unit, scores)`: `scores()` returns the unit's
# TaskScores or raises what went wrong; `finish` writes the result, records the outcome and
# returns whether the unit is done. It raises (ending the executor) when the run must stop: a
# UserError, or a result that could not be written.
Finish = Callable[[Unit, Callable[[], TaskScores]], bool]
# executor(units to do, plan, {task: data}, config, finish): runs every unit, reports each once.
Executor = Callable[[list[Unit], Plan, dict[str, TaskData], RunConfig, Finish], None]


def task_embedder(planned: PlannedTask, model: ResolvedModel, config: RunConfig,
                  stores: RunStores | None = None) -> TaskEmbedder:
    """The embedding call of one (model, task); every executor builds it here. The model loads on
    its first encode (a task served wholly from the cache never loads it); `stores`: the run's
    embedding stores (None: no store, each call dedupes on its own)."""
    unit = "pairs" if model.kind == ModelKind.CROSS_ENCODER else "texts"
    return TaskEmbedder(LazyAdapter(model.load), model.policy, planned.spec, config.batch_size,
                        model.name, store=stores.for_model(model) if stores is not None else None,
                        progress=TaskProgress(planned.spec.name, enabled=config.show_progress, unit=unit),
                        token_budget=config.token_budget, segment_texts=model.store_every)


def score_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig,
    stores: RunStores | None = None,
) -> TaskScores:
    """Evaluate every loaded split of one task with the run's searcher (no writing)."""
    spec = planned.spec
    embedder = task_embedder(planned, model, config, stores)
    if model.kind == ModelKind.BI_ENCODER and embedder.progress is not None and embedder.progress.enabled:
        embedder.progress.plan(sum(texts_to_embed(spec, d) for d in data.splits.values()))
    protocol = get_protocol(plan.protocol)
    search = get_searcher(config.search)
    start = time.perf_counter()
    splits: dict[str, SplitResult] = {}
    try:
        for split, split_data in data.splits.items():
            log.info("%s: %s / %s", model.name, spec.name, split)
            splits[split] = score_split(model, spec, split, split_data, embedder, protocol, search=search)
    finally:
        embedder.close()
    engine = embedder.stats.engine_counts() if model.kind != ModelKind.LEXICAL else {}  # bm25 uses no store
    return TaskScores(splits, embedder.stats.texts, embedder.stats.unique_texts,
                      time.perf_counter() - start, encoding={**engine, **encoding_report(model)})


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
        "model": {"name": model.name, "revision": model.revision, "adapter": str(model.adapter)},
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


def result_file(model: ResolvedModel, task: str, config: RunConfig) -> Path:
    """`OUTPUT/{org__model}/{revision}/{Task}.json`; quick runs use `{revision}-quick`."""
    revision = results_revision(model.revision, quick=config.quick)
    return result_path(config.output_dir, model.folder_name, revision, task)


def write_task(
    planned: PlannedTask, data: TaskData, model: ResolvedModel, plan: Plan, config: RunConfig,
    scores: TaskScores,
) -> dict[str, Any]:
    """Write one task's samples, per-query run (retrieval) and result atomically, result last;
    returns the result document."""
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
