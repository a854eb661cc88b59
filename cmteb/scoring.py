"""Scoring one split by model kind, and what the adapter reports about its encoding.

- bi-encoder: the task type's evaluator over embeddings (`cmteb.evaluators.evaluate_split`);
- cross-encoder: pairs scored by `TaskPairScorer` (`cmteb.evaluators.pairwise`), on retrieval
  tasks as a second stage over the model's `first_stage` run; the pair scores share the
  embedder's store and counts, and the model loads only if a pair is not in the store;
- lexical (bm25): `pairwise.bm25_retrieval` / `bm25_reranking`.
Which kinds may run which task types is checked before any work (`cmteb.models.stages`); a split
whose data a kind cannot score is a TaskError here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cmteb.data.types import RerankGroups, RetrievalCorpus
from cmteb.errors import TaskError
from cmteb.evaluators import SplitResult, evaluate_split, pairwise
from cmteb.models.contract import LazyAdapter, LexicalModel, Role
from cmteb.models.pair_scorer import TaskPairScorer
from cmteb.models.types import ModelKind

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
    if model.kind == ModelKind.BI_ENCODER:
        return evaluate_split(spec, data, embedder, protocol)
    if model.kind == ModelKind.LEXICAL:
        return _lexical(model, spec, data, protocol)
    return _cross_encoder(model, spec, split, data, embedder, protocol)


def _lexical(model: ResolvedModel, spec: TaskSpec, data: SplitData, protocol: Protocol) -> SplitResult:
    adapter = model.load()
    if not isinstance(adapter, LexicalModel):
        raise TaskError(f"model {model.name}: a lexical model needs index(texts); "
                        f"{type(adapter).__name__} has none")

    def fmt(texts: list[str], role: Role) -> list[str]:
        return model.policy.format(texts, role, spec)

    if isinstance(data, RetrievalCorpus):
        return pairwise.bm25_retrieval(spec, data, adapter, fmt, protocol)
    if isinstance(data, RerankGroups):
        return pairwise.bm25_reranking(spec, data, adapter, fmt)
    raise _unscorable(model, spec)


def _cross_encoder(model: ResolvedModel, spec: TaskSpec, split: str, data: SplitData,
                   embedder: TaskEmbedder, protocol: Protocol) -> SplitResult:
    scorer = TaskPairScorer(LazyAdapter(model.load), model.policy, spec, embedder.batch_size,
                            model.name, store=embedder.store, stats=embedder.stats,
                            progress=embedder.progress, token_budget=embedder.token_budget)
    if isinstance(data, RerankGroups):
        return pairwise.cross_encoder_reranking(spec, data, scorer)
    stage = model.first_stage
    if isinstance(data, RetrievalCorpus) and stage is not None:
        return pairwise.cross_encoder_retrieval(spec, data, scorer, stage.run(spec.name, split),
                                                stage.top_k, protocol)
    raise _unscorable(model, spec)


def _unscorable(model: ResolvedModel, spec: TaskSpec) -> TaskError:
    return TaskError(f"model {model.name} ({model.kind}) cannot score task {spec.name} ({spec.type})"
                     + (" without a first stage" if spec.type == "Retrieval" else ""))


def encoding_report(model: ResolvedModel) -> dict[str, Any]:
    """What the loaded adapter counted during the task (e.g. texts cut at the max length), reset
    for the next task; {} for adapters that count nothing, and when the model was never loaded
    (every text came from the embedding cache: the adapter saw none)."""
    take = getattr(model.loaded(), "take_encoding_report", None)
    return dict(take()) if callable(take) else {}
