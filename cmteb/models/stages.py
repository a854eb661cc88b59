"""Which model runs which tasks, and the first stage a reranker reranks. Checked before any work.

Policy (impossible combinations are UserErrors, exit 2, one line):
- a bi-encoder runs every task type; `--rerank-top-k` / `--first-stage` with it are refused;
- a cross-encoder reranker runs reranking tasks (scoring each candidate list) and retrieval tasks
  as a second stage: it reranks the first `--rerank-top-k` (default 100) hits per query of
  `--first-stage`, either a model (resolved with its own default settings and run first on the
  retrieval tasks; its saved run is reused when its results already exist) or a results folder
  holding `{Task}.run.json.gz` files (see `cmteb.results.runs`); any other task type is refused;
- the lexical `bm25` runs retrieval and reranking tasks only.
"""

from __future__ import annotations

import functools
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmteb.data.quick import results_revision
from cmteb.errors import TaskError, UserError
from cmteb.models.resolve import resolve_model
from cmteb.models.types import ModelKind, ModelOptions, ResolvedModel
from cmteb.results.runs import RUN_DEPTH, RUN_SUFFIX, read_runs

if TYPE_CHECKING:
    from cmteb.config import RunConfig
    from cmteb.pipeline.plan import Plan

DEFAULT_RERANK_TOP_K = 100
PAIR_TYPES = ("Retrieval", "Reranking")


@dataclass(frozen=True)
class FirstStage:
    """Where a reranker's candidates come from: `folder` holds `{Task}.run.json.gz` files."""

    label: str
    folder: Path
    top_k: int
    model: ResolvedModel | None = None

    def record(self) -> dict[str, Any]:
        if self.model is not None:
            return {"model": self.model.name, "revision": self.model.revision, "top_k": self.top_k}
        return {"results": str(self.folder.resolve()), "top_k": self.top_k}

    def run_file(self, task: str) -> Path:
        found = sorted(self.folder.rglob(f"{task}{RUN_SUFFIX}"))
        if len(found) > 1:
            raise UserError(f"--first-stage {self.label}: several runs for task {task}: "
                            f"{', '.join(str(p) for p in found[:3])}")
        return found[0] if found else self.folder / f"{task}{RUN_SUFFIX}"

    def run(self, task: str, split: str) -> dict[str, dict[str, float]]:
        """The saved first-stage hits of one split, `{query_id: {doc_id: score}}` with at least
        `top_k` per query where the run found that many; TaskError when the run file is missing,
        lacks the split or keeps fewer hits per query than `top_k`."""
        path = self.run_file(task)
        if not path.is_file():
            raise TaskError(f"first stage {self.label}: no saved run for {task} ({path}); rerun "
                            "the first stage with --overwrite")
        doc = read_runs(path)
        if split not in doc["splits"]:
            raise TaskError(f"first stage {self.label}: {path} has no split {split!r}")
        if doc["depth"] < self.top_k:
            raise TaskError(f"first stage {self.label}: {path} keeps {doc['depth']} hits per query, "
                            f"fewer than --rerank-top-k {self.top_k}")
        return doc["splits"][split]


def run_depth(opts: ModelOptions) -> int:
    """Hits per query saved with every retrieval result (enough for the requested reranking)."""
    return max(RUN_DEPTH, opts.rerank_top_k or 0)


def prepare_models(models: list[ResolvedModel], plan: Plan, config: RunConfig) -> list[ResolvedModel]:
    """Check each model against the planned task types; put a model first stage before its reranker."""
    opts = config.model_options
    types = {t.spec.type for t in plan.tasks}
    out: list[ResolvedModel] = []
    for model in models:
        if model.kind == ModelKind.BI_ENCODER:
            if opts.rerank_top_k is not None or opts.first_stage is not None:
                raise UserError(f"model {model.name} is a bi-encoder: --rerank-top-k/--first-stage "
                                "apply to cross-encoder rerankers only")
            out.append(model)
            continue
        _check_types(model, types)
        if model.kind == ModelKind.CROSS_ENCODER and "Retrieval" in types:
            out.extend(_with_first_stage(model, _first_stage(model, plan, config)))
            continue
        if opts.rerank_top_k is not None or opts.first_stage is not None:
            raise UserError(f"model {model.name}: --rerank-top-k/--first-stage rerank retrieval "
                            "tasks with a cross-encoder; no retrieval task is selected"
                            if model.kind == ModelKind.CROSS_ENCODER else
                            f"model {model.name} is lexical: it cannot rerank a first stage")
        out.append(model)
    return out


def _with_first_stage(model: ResolvedModel, stage: FirstStage) -> list[ResolvedModel]:
    """[first-stage model on retrieval (when it must run), the reranker on reranking tasks, the
    reranker on retrieval tasks recording its first stage]; both reranker views share one load."""
    shared = functools.cache(model.factory)
    out = [] if stage.model is None else [replace(stage.model, task_types=("Retrieval",))]
    out.append(replace(model, factory=shared, task_types=("Reranking",)))
    out.append(replace(model, factory=shared, task_types=("Retrieval",), first_stage=stage,
                       settings={**model.settings, "first_stage": stage.record()}))
    return out


def _check_types(model: ResolvedModel, types: AbstractSet[str]) -> None:
    wrong = sorted(types - set(PAIR_TYPES))
    if wrong:
        what = "a cross-encoder reranker" if model.kind == ModelKind.CROSS_ENCODER else "a lexical model"
        raise UserError(f"model {model.name} is {what}: it scores (query, passage) pairs and cannot "
                        f"run {', '.join(wrong)} tasks; select them with --task-types Retrieval,Reranking")


def _first_stage(model: ResolvedModel, plan: Plan, config: RunConfig) -> FirstStage:
    opts = config.model_options
    if opts.first_stage is None:
        raise UserError(f"model {model.name} is a cross-encoder: on retrieval tasks it reranks a first "
                        "stage; give --first-stage MODEL_OR_RESULTS_DIR [--rerank-top-k 100]")
    top_k = opts.rerank_top_k or DEFAULT_RERANK_TOP_K
    path = Path(opts.first_stage)
    if path.is_dir() and not _is_model_folder(path):
        stage = FirstStage(label=opts.first_stage, folder=path, top_k=top_k)
        for planned in plan.tasks:
            if planned.spec.type == "Retrieval" and not stage.run_file(planned.spec.name).is_file():
                raise UserError(f"--first-stage {path}: no {planned.spec.name}{RUN_SUFFIX} in it "
                                "(a results folder of a retrieval run made by cmteb)")
        return stage
    first = resolve_model(opts.first_stage, ModelOptions(device=opts.device, dtype=opts.dtype))
    if first.kind == ModelKind.CROSS_ENCODER:
        raise UserError(f"--first-stage {opts.first_stage} is a cross-encoder; a first stage must "
                        "retrieve (a bi-encoder or bm25)")
    folder = config.output_dir / first.folder_name / results_revision(first.revision, quick=config.quick)
    return FirstStage(label=opts.first_stage, folder=folder, top_k=top_k, model=first)


def _is_model_folder(path: Path) -> bool:
    return (path / "config.json").is_file() or (path / "modules.json").is_file()
