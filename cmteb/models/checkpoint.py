"""Checkpoints (registry entries, local folders, hub names) -> `ResolvedModel`.

Which adapter runs a checkpoint, decided once here:
1. a cross-encoder (registry kind, or config.json `architectures` ending in
   `ForSequenceClassification`) -> `cross_encoder.CrossEncoderScorer`; `--pooling`/`--normalize`
   are refused: a reranker loaded as a bi-encoder gives meaningless embeddings;
2. `--pooling` given, or the registry adapter `transformers` -> `hf_encoder.TransformersEncoder`;
3. a sentence-transformers layout (modules.json) -> sentence-transformers, whose Pooling and
   Normalize modules and max_seq_length are read from its files before any model is loaded
   (`Checkpoint.st_layout`), recorded, and checked against the registry entry;
4. anything else is refused: how to pool must be said with `--pooling cls|mean|last`.
Explicit settings win over the registry entry; every setting used is recorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmteb.errors import UserError
from cmteb.models.hub import hub_file, hub_online, resolve_commit
from cmteb.models.policy import TextPolicy
from cmteb.models.registry import ModelEntry, suggestion
from cmteb.models.types import Adapter, ModelKind, ModelOptions, ResolvedModel, apply_policy_overrides
from cmteb.results.io import read_json_or_none

TRAP = "as a bi-encoder, bge-reranker scores T2Reranking MAP ~51 instead of ~67"
_ST_MODES = {"cls": "cls", "mean": "mean", "lasttoken": "last"}
_ST_LEGACY_KEYS = {"pooling_mode_cls_token": "cls", "pooling_mode_mean_tokens": "mean",
                   "pooling_mode_max_tokens": "max",
                   "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
                   "pooling_mode_weightedmean_tokens": "weightedmean",
                   "pooling_mode_lasttoken": "lasttoken"}


@dataclass(frozen=True)
class STLayout:
    """`pooling`: cls / mean / last, or sentence-transformers' own name for other modes (None =
    no Pooling module); `normalizes`: a Normalize module ends the pipeline; `max_length`: its
    max_seq_length (None = the tokenizer's)."""

    pooling: str | None
    normalizes: bool
    max_length: int | None


@dataclass(frozen=True)
class Checkpoint:
    source: str  # what from_pretrained receives: a folder path or a hub name
    display: str
    revision: str  # recorded (folder fingerprint or hub commit)
    load_revision: str | None  # passed to from_pretrained (None for a folder)
    read: Callable[[str], Any]  # filename -> parsed JSON or None

    def architectures(self) -> list[str]:
        config = self.read("config.json") or {}
        return [str(a) for a in config.get("architectures") or []]

    def is_cross_encoder(self) -> bool:
        return any(a.endswith("ForSequenceClassification") for a in self.architectures())

    def st_layout(self) -> STLayout | None:
        """The sentence-transformers layout (`modules.json`, the Pooling module's `config.json`,
        `sentence_bert_config.json`), or None when there is no modules.json."""
        modules = self.read("modules.json")
        if not isinstance(modules, list):
            return None
        types = [str(m.get("type", "")) for m in modules if isinstance(m, dict)]
        pooling = None
        for module in modules:
            if isinstance(module, dict) and str(module.get("type", "")).endswith("Pooling"):
                path = str(module.get("path", "")).strip("/")
                pooling = _st_pooling_mode(self.read(f"{path}/config.json" if path else "config.json") or {})
        bert = self.read("sentence_bert_config.json") or {}
        max_length = bert.get("max_seq_length") if isinstance(bert, dict) else None
        return STLayout(pooling=pooling, normalizes=any(t.endswith("Normalize") for t in types),
                        max_length=max_length if isinstance(max_length, int) else None)


def _st_pooling_mode(config: dict[str, Any]) -> str:
    mode = config.get("pooling_mode")
    if mode is None:
        modes = [name for key, name in _ST_LEGACY_KEYS.items() if config.get(key)]
        mode = modes[0] if len(modes) == 1 else "+".join(modes) or "mean"
    if isinstance(mode, list):
        mode = "+".join(mode)
    return _ST_MODES.get(mode, mode)


def _folder_reader(folder: Path) -> Callable[[str], Any]:
    return lambda filename: read_json_or_none(folder / filename)


def folder_fingerprint(folder: Path) -> str:
    """`local-<12 hex>`: sha256 over every file's relative path and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return "local-" + digest.hexdigest()[:12]


def from_folder(folder: Path, opts: ModelOptions) -> ResolvedModel:
    if not any(folder.glob("*.safetensors")) and not any(folder.glob("*.bin")) and not (
        folder / "modules.json"
    ).exists():
        raise UserError(f"model folder {folder}: no weights (*.safetensors / *.bin) found")
    ckpt = Checkpoint(source=str(folder), display=folder.resolve().name,
                      revision=opts.revision or folder_fingerprint(folder), load_revision=None,
                      read=_folder_reader(folder))
    return build(ckpt, opts, None)


def from_hub(name: str, opts: ModelOptions, entry: ModelEntry | None, *,
             pinned_by: str = "registered") -> ResolvedModel:
    """A hub checkpoint at the commit its revision resolves to (the entry's pin unless --revision).
    `pinned_by` says where the entry comes from, in the error for a pinned model that cannot be
    found ("registered", or "described by the pinned mteb")."""
    wanted = opts.revision or (entry.revision if entry else None)
    commit = resolve_commit(name, wanted)
    if commit is None and entry is not None:
        raise UserError(
            f"model {name} ({pinned_by}, revision {wanted}) is not in the local Hugging Face cache "
            f"and the hub {'has no such model' if hub_online() else 'cannot be reached'}; download it "
            f"on a connected machine (hf download {name} --revision {wanted}) or pass "
            "a local folder with --model DIR")
    if commit is None:
        where = "does not exist on the hub" if hub_online() else \
            "cannot be loaded from the hub (unreachable, and not in the local cache)"
        raise UserError(f"model {name!r} is not registered, not a local folder, and {where}"
                        f"{suggestion(name) or '; see `cmteb models`'}")
    ckpt = Checkpoint(source=name, display=name, revision=commit, load_revision=commit,
                      read=lambda filename: read_json_or_none(hub_file(name, filename, commit)))
    return build(ckpt, opts, entry)


def build(ckpt: Checkpoint, opts: ModelOptions, entry: ModelEntry | None) -> ResolvedModel:
    policy = apply_policy_overrides(entry.policy() if entry else TextPolicy(), opts)
    if (entry is not None and entry.kind == ModelKind.CROSS_ENCODER) or ckpt.is_cross_encoder():
        return _cross_encoder(ckpt, opts, entry, policy)
    if opts.pooling is not None or (entry is not None and entry.adapter == Adapter.TRANSFORMERS):
        return _transformers(ckpt, opts, entry, policy)
    layout = ckpt.st_layout()
    if layout is None:
        raise UserError(f"model {ckpt.display}: no sentence-transformers modules.json, so how to pool "
                        "its token states is unknown; give --pooling cls|mean|last")
    return _sentence_transformers(ckpt, opts, entry, policy, layout)


def _resolved(ckpt: Checkpoint, opts: ModelOptions, policy: TextPolicy, adapter: Adapter, kind: ModelKind,
              settings: dict[str, Any], factory: Callable[[], Any]) -> ResolvedModel:
    def load() -> Any:
        try:
            return factory()
        except (OSError, ValueError) as exc:
            raise UserError(f"model {ckpt.display!r}: cannot load with {adapter}: {exc}") from exc

    return ResolvedModel(name=opts.name or ckpt.display, revision=ckpt.revision, policy=policy,
                         adapter=adapter, settings=settings, factory=load, kind=kind)


def _cross_encoder(ckpt: Checkpoint, opts: ModelOptions, entry: ModelEntry | None,
                   policy: TextPolicy) -> ResolvedModel:
    from cmteb.models.cross_encoder import DEFAULT_MAX_LENGTH, CrossEncoderScorer, CrossEncoderSettings

    if entry is not None and entry.adapter == Adapter.QWEN3_RERANKER:
        return _qwen3_reranker(ckpt, opts, entry, policy)
    if opts.pooling is not None or opts.normalize is not None:
        arch = ", ".join(ckpt.architectures()) or "a cross-encoder"
        raise UserError(f"model {ckpt.display} is a cross-encoder reranker ({arch}): it scores "
                        f"[query, passage] pairs and cannot be loaded as a bi-encoder ({TRAP}); "
                        "drop --pooling/--normalize")
    settings = CrossEncoderSettings(
        max_length=opts.max_length or (entry.max_length if entry else None) or DEFAULT_MAX_LENGTH,
        dtype=opts.dtype, device=opts.device, revision=ckpt.load_revision)
    recorded = {"max_length": settings.max_length, "dtype": settings.dtype,
                "input": "[query, passage] pair, longest-first truncation", "score": "raw logit"}
    return _resolved(ckpt, opts, policy, Adapter.CROSS_ENCODER, ModelKind.CROSS_ENCODER, recorded,
                     lambda: CrossEncoderScorer(ckpt.source, settings))


def _qwen3_reranker(ckpt: Checkpoint, opts: ModelOptions, entry: ModelEntry,
                    policy: TextPolicy) -> ResolvedModel:
    from cmteb.models.qwen3_reranker import Qwen3RerankerScorer, Qwen3RerankerSettings

    given = [flag for flag, value in (("--pooling", opts.pooling), ("--normalize", opts.normalize),
                                      ("--query-instruction", opts.query_instruction),
                                      ("--query-prefix", opts.query_prefix),
                                      ("--passage-prefix", opts.passage_prefix)) if value is not None]
    if given:
        raise UserError(f"model {ckpt.display}: {', '.join(given)} cannot be applied (a Qwen3 reranker "
                        "scores pairs inside its own chat template, with its own instruction)")
    settings = Qwen3RerankerSettings(max_length=opts.max_length or entry.max_length or 8192,
                                     dtype=opts.dtype, device=opts.device, revision=ckpt.load_revision)
    return _resolved(ckpt, opts, policy, Adapter.QWEN3_RERANKER, ModelKind.CROSS_ENCODER,
                     settings.record(), lambda: Qwen3RerankerScorer(ckpt.source, settings))


def _transformers(ckpt: Checkpoint, opts: ModelOptions, entry: ModelEntry | None,
                  policy: TextPolicy) -> ResolvedModel:
    from cmteb.models.hf_encoder import HFSettings, TransformersEncoder

    settings = HFSettings(
        pooling=opts.pooling or (entry.pooling if entry else None) or "mean",
        normalize=_first(opts.normalize, entry.normalize if entry else None, True),
        max_length=opts.max_length or (entry.max_length if entry else None),
        dtype=opts.dtype, device=opts.device, revision=ckpt.load_revision,
        append_eos=entry.append_eos if entry else False)
    recorded = {"pooling": settings.pooling, "normalize": settings.normalize,
                "max_length": settings.max_length, "dtype": settings.dtype,
                "append_eos": settings.append_eos}
    return _resolved(ckpt, opts, policy, Adapter.TRANSFORMERS, ModelKind.BI_ENCODER, recorded,
                     lambda: TransformersEncoder(ckpt.source, settings))


def _first(*values: Any) -> Any:
    return next(v for v in values if v is not None)


def _sentence_transformers(ckpt: Checkpoint, opts: ModelOptions, entry: ModelEntry | None,
                           policy: TextPolicy, layout: STLayout) -> ResolvedModel:
    from cmteb.models.st_encoder import SentenceTransformerEncoder

    if entry is not None and entry.pooling is not None and entry.pooling != layout.pooling:
        raise UserError(f"model {ckpt.display}: the registry says pooling {entry.pooling} but the "
                        f"checkpoint's sentence-transformers Pooling module uses {layout.pooling}")
    own = layout.normalizes if entry is not None and entry.normalize is None else True  # null: its modules'
    normalize = _first(opts.normalize, entry.normalize if entry else None, own)
    if layout.normalizes and not normalize:
        raise UserError(f"model {ckpt.display}: its sentence-transformers Normalize module always "
                        "normalizes; to run it unnormalized give --pooling with --no-normalize")
    max_length = opts.max_length or (entry.max_length if entry else None)
    recorded = {"pooling": layout.pooling, "normalize": normalize or layout.normalizes,
                "max_length": max_length or layout.max_length, "dtype": opts.dtype}

    def factory() -> Any:
        return SentenceTransformerEncoder(
            ckpt.source, revision=ckpt.load_revision, device=opts.device, max_length=max_length,
            normalize=normalize, dtype=opts.dtype)

    return _resolved(ckpt, opts, policy, Adapter.SENTENCE_TRANSFORMERS, ModelKind.BI_ENCODER, recorded,
                     factory)

