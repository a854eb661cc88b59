"""`cmteb.evaluate`: the `cmteb run` pipeline for notebooks and training loops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cmteb.config import RunConfig, TaskSelection
from cmteb.engine.batching import DEFAULT_BATCH_SIZE
from cmteb.errors import TaskError
from cmteb.models.contract import Encoder
from cmteb.models.policy import TextPolicy
from cmteb.models.types import (
    NO_REVISION,
    Adapter,
    ModelOptions,
    ResolvedModel,
    apply_policy_overrides,
    kind_of,
)
from cmteb.pipeline.run import run


def _in_memory_model(encoder: Encoder, opts: ModelOptions) -> ResolvedModel:
    return ResolvedModel(
        name=opts.name or type(encoder).__name__, revision=opts.revision or NO_REVISION,
        policy=apply_policy_overrides(TextPolicy(), opts), adapter=Adapter.PYTHON_OBJECT,
        settings={"class": f"{type(encoder).__module__}.{type(encoder).__qualname__}"},
        factory=lambda: encoder, kind=kind_of(encoder),
    )


def evaluate(
    model: str | Encoder,
    tasks: list[str] | None = None,
    *,
    benchmark: str | None = None,
    task_types: list[str] | None = None,
    data_dir: str | Path | None = None,
    output_dir: str | Path = "results",
    protocol: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    overwrite: bool = False,
    quick: bool = False,
    search: str = "exact",
    raise_on_failure: bool = True,
    **model_options: Any,
) -> dict[str, dict[str, Any]]:
    """Evaluate `model` and return `{task name: result document}` (the JSON written to disk).

    `model`: a registry/hub name, a local folder, or any object with
    `encode(texts, *, role, task, batch_size) -> np.ndarray` (a bi-encoder) or, for a cross-encoder
    reranker, `predict(pairs, *, task, batch_size) -> np.ndarray` and no `encode`.
    `model_options`: the fields of `ModelOptions` (query_prefix, query_instruction, max_length, name,
    revision, rerank_top_k, first_stage, ...).
    `cache_dir` / `use_cache`: the embedding cache (an in-memory `model` is never cached on disk).
    `quick`: the deterministic subsample of `cmteb run --quick` (`cmteb.data.quick`).
    `search`: the retrieval search, "exact" or "faiss" (`cmteb run --search`).
    """
    opts = ModelOptions(**model_options)  # UserError naming an unknown or invalid option
    config = RunConfig(
        models=(model,) if isinstance(model, str) else (),
        selection=TaskSelection(tasks=tuple(tasks or ()), benchmark=benchmark,
                                task_types=tuple(task_types or ())),
        model_options=opts, protocol=protocol,
        data_dir=Path(data_dir) if data_dir else None, output_dir=Path(output_dir),
        batch_size=batch_size, overwrite=overwrite, quick=quick, show_progress=False,
        cache_dir=Path(cache_dir) if cache_dir else None, use_cache=use_cache, search=search,
    )
    resolved = None if isinstance(model, str) else [_in_memory_model(model, opts)]
    report = run(config, resolved=resolved)
    if raise_on_failure and report.failures:
        raise TaskError("; ".join(f.error or f.task for f in report.failures))
    return {o.task: o.result for o in report.outcomes if o.result is not None}
