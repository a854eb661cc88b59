"""Scoring one split by model kind, and what the adapter reports about its encoding.

- bi-encoder: the task type's evaluator over embeddings (`cmteb.evaluators.evaluate_split`);
- cross-encoder: pairs scored by `TaskPairScorer` (`cmteb.evaluators.pairwise`), on retrieval
  tasks as a second stage over the model's `first_stage` run; the pair scores share the
  embedder's store and counts, and the model loads only if a pair is not in the store;
- lexical (bm25): `pairwise.bm25_retrieval` / `bm25_reranking`.
Which kinds may run which task types is checked before any work (`cmteb.models.stages`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cmteb.evaluators import SplitResult, evaluate_split, pairwise
from cmteb.models.contract import LazyAdapter
from cmteb.models.pair_scorer import TaskPairScorer

if TYPE_CHECKING:
    from cmteb.data.types import SplitData
    from cmteb.models.embedder import TaskEmbedder
    from cmteb.models.types import ResolvedModel
    from cmteb.protocols import Protocol
    from cmteb.tasks.spec import TaskSpec


def score_split(
    model: ResolvedModel, spec: TaskSpec, split: str, data: SplitData, embedder: TaskEmbedder,
    protocol: Protocol,
) -> SplitResult:
    """Score one split of `spec` with `model`. `embedder`: the task's embedder; a cross-encoder
    uses its store, counts, progress bar and token budget for the pair scores."""
    if model.kind == "bi-encoder":
        return evaluate_split(spec, data, embedder, protocol)
    if model.kind == "lexical":
        adapter = model.load()

        def fmt(texts: list[str], role: str) -> list[str]:
            return model.policy.format(texts, role, spec)  # type: ignore[arg-type]

        if spec.type == "Retrieval":
            return pairwise.bm25_retrieval(spec, data, adapter, fmt, protocol)  # type: ignore[arg-type]
        return pairwise.bm25_reranking(spec, data, adapter, fmt)  # type: ignore[arg-type]
    scorer = TaskPairScorer(LazyAdapter(model.load), model.policy, spec, embedder.batch_size,
                            model.name, store=embedder.store, stats=embedder.stats,
                            progress=embedder.progress, token_budget=embedder.token_budget)
    if spec.type == "Reranking":
        return pairwise.cross_encoder_reranking(spec, data, scorer)  # type: ignore[arg-type]
    stage = model.first_stage
    return pairwise.cross_encoder_retrieval(spec, data, scorer, stage.run(spec.name, split),  # type: ignore[arg-type]
                                            stage.top_k, protocol)


def encoding_report(model: ResolvedModel) -> dict[str, Any]:
    """What the loaded adapter counted during the task (e.g. texts cut at the max length), reset
    for the next task; {} for adapters that count nothing, and when the model was never loaded
    (every text came from the embedding cache: the adapter saw none)."""
    take = getattr(model.loaded(), "take_encoding_report", None)
    return dict(take()) if callable(take) else {}
