"""The pinned mteb's model metadata: which models it describes, their facts, and how cmteb runs one.

API (mteb is imported on first use, never by `cmteb --help`):
- `mteb_model(name) -> MtebModel | None` and `mteb_models() -> list[MtebModel]` (text models only);
- `model_facts(name) -> dict | None`: revision, parameters, memory, dimensions, max tokens, release
  date, license, open weights, languages, instruction use, similarity, reference (for leaderboards);
- `mteb_model_meta(name) -> dict | None`: mteb's own `ModelMeta.to_dict()`, the `model_meta.json`
  mteb writes beside results (for exports).
`model_facts` and `mteb_model_meta` describe any model mteb names (any modality, and old names mteb
renamed, as `mteb.get_model_meta` reads them); `mteb_model(s)` only the text models cmteb may run.
- `MtebModel.entry`: the `ModelEntry` cmteb runs it with, or None with `MtebModel.refusal` saying why;
- `resolve_mteb_model(name, opts)`: `cmteb run --model NAME` for a name the registry lacks.

How a description maps, faithfully or not at all (mteb 2.26.24 loaders, read on the same inputs):
- `SentenceTransformerEncoderWrapper`: the checkpoint's own modules (pooling, Normalize, max length)
  through cmteb's sentence-transformers adapter; `model_prompts` (else the checkpoint's built-in
  prompts) `query` / `document` are the query / passage prefixes; symmetric texts get none, as mteb
  gives them no prompt type.
- `InstructSentenceTransformerModel` (and mteb's Qwen3 loader, which is one): its
  `instruction_template` (a string with `{instruction}`, or a function, read by calling it on
  marker strings) is the query instruction, `prompts_dict` the per-task instructions; mteb also
  instructs symmetric texts, which `--instruction-scope all` reproduces.
- Refused, one line each: other loaders (custom code: API clients, wrappers of their own),
  `trust_remote_code`, tokenizer changes (`add_eos_token`, `padding_side`), instructions on
  passages, prompts per task type, truncated dimensions, cross-encoders (their length and scoring
  are the checkpoint's own, which cmteb's cross-encoder adapter does not read), and at load time a
  checkpoint whose sentence-transformers config sets a default prompt or routes queries and
  documents through different modules.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cmteb.errors import UserError
from cmteb.models.registry import ModelEntry
from cmteb.models.types import Adapter, ModelKind, apply_policy_overrides
from cmteb.results.provenance import mteb_version

ST_WRAPPERS = ("SentenceTransformerEncoderWrapper", "sentence_transformers_loader")
INSTRUCT_WRAPPERS = ("InstructSentenceTransformerModel", "q3e_instruct_loader")
_MARKERS = ("\x00cmteb-task-a\x00", "\x00cmteb-task-b\x00")
_WHY = {
    "trust_remote_code": "runs the checkpoint's own Python code, which cmteb does not execute",
    "add_eos_token": "appends an EOS token through its tokenizer settings, which cmteb's "
                     "sentence-transformers adapter does not change",
    "padding_side": "sets the tokenizer's padding side, which cmteb's sentence-transformers adapter "
                    "does not change",
    "tokenizer_kwargs": "changes tokenizer settings, which cmteb's sentence-transformers adapter does not",
    "embed_dim": "truncates the embeddings to fewer dimensions",
    "processor_kwargs": "needs a processor of its own",
}


class Unmappable(Exception):
    """Why an mteb description cannot be run faithfully by cmteb."""


@dataclass(frozen=True)
class MtebModel:
    name: str
    source: str  # "mteb <version> mteb/models/model_implementations/<file>.py"
    loader: str
    facts: dict[str, Any]
    entry: ModelEntry | None
    refusal: str | None


def mteb_model(name: str) -> MtebModel | None:
    """The pinned mteb's description of `name`, or None (without importing mteb when no mteb model
    file names it: every ModelMeta name is a string literal in those files)."""
    return _catalog().get(name) if f'"{name}"' in _mteb_model_sources() else None


def mteb_models() -> list[MtebModel]:
    return sorted(_catalog().values(), key=lambda m: m.name.lower())


def model_facts(name: str) -> dict[str, Any] | None:
    """The pinned mteb's facts about `name` (module docstring), or None when it does not know it."""
    meta = _model_meta(name)
    return None if meta is None else _facts(meta)


def mteb_model_meta(name: str) -> dict[str, Any] | None:
    """The pinned mteb's `ModelMeta.to_dict()` of `name` (the content of the `model_meta.json` mteb
    writes), or None when it does not know the name."""
    meta = _model_meta(name)
    return None if meta is None else meta.to_dict()


@functools.cache
def _model_meta(name: str) -> Any | None:
    """`mteb.get_model_meta(name)` (renames followed), or None; mteb is imported only when one of
    its model files names `name`, and its log lines and warnings about the name are silenced."""
    if f'"{name}"' not in _mteb_model_sources():
        return None
    import mteb

    mteb_log = logging.getLogger("mteb")
    level = mteb_log.level
    mteb_log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return mteb.get_model_meta(name)
    except Exception:  # mteb raises KeyError/ValueError/... for names it lacks
        return None
    finally:
        mteb_log.setLevel(level)


@functools.cache
def _mteb_model_sources() -> str:
    """The text of the pinned mteb's model files (model implementations and the renames table)."""
    import importlib.util

    spec = importlib.util.find_spec("mteb")
    if spec is None or not spec.submodule_search_locations:
        return ""
    models = Path(next(iter(spec.submodule_search_locations))) / "models"
    files = [*sorted((models / "model_implementations").glob("*.py")), models / "get_model_meta.py"]
    return "".join(f.read_text(encoding="utf-8") for f in files if f.is_file())


@functools.cache
def _catalog() -> dict[str, MtebModel]:
    import mteb
    from mteb.models.model_meta import _get_loader_name

    files = _defining_files()
    catalog = {}
    for meta in mteb.get_model_metas():
        if not meta.name or list(meta.modalities) != ["text"]:
            continue
        source = f"mteb {mteb_version()} {files.get(meta.name, 'mteb/models')}"
        try:
            entry, refusal = _map(meta, source), None
        except Unmappable as why:
            entry, refusal = None, str(why)
        catalog[meta.name] = MtebModel(meta.name, source, str(_get_loader_name(meta.loader)), _facts(meta),
                                       entry, refusal)
    return catalog


def _defining_files() -> dict[str, str]:
    """{model name: the mteb file defining its ModelMeta} (the implementation modules mteb imported)."""
    from mteb.models.model_meta import ModelMeta

    prefix = "mteb.models.model_implementations."
    files = {}
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith(prefix):
            for value in vars(module).values():
                if isinstance(value, ModelMeta) and value.name:
                    files.setdefault(value.name, module_name.replace(".", "/") + ".py")
    return files


def _facts(meta: Any) -> dict[str, Any]:
    return {"revision": meta.revision, "n_parameters": meta.n_parameters,
            "memory_usage_mb": meta.memory_usage_mb,
            "embed_dim": meta.embed_dim, "max_tokens": _whole(meta.max_tokens),
            "release_date": str(meta.release_date) if meta.release_date else None, "license": meta.license,
            "open_weights": meta.open_weights, "languages": list(meta.languages or []),
            "use_instructions": meta.use_instructions, "model_type": list(meta.model_type),
            "similarity": str(meta.similarity_fn_name.value) if meta.similarity_fn_name else None,
            "reference": meta.reference}


def _whole(value: float | None) -> int | None:
    """A token count as an int (None when unknown or unbounded)."""
    return int(value) if value and value != float("inf") else None


def _map(meta: Any, source: str) -> ModelEntry:
    """The entry cmteb runs `meta` with (module docstring); Unmappable with the reason otherwise."""
    from mteb.models.model_meta import _get_loader_name

    loader = str(_get_loader_name(meta.loader))
    if "dense" not in meta.model_type or meta.model_type != ["dense"]:
        raise Unmappable(f"a {', '.join(meta.model_type)} model in mteb; cmteb maps dense bi-encoders only "
                         "(cross-encoders: run the hub name or folder with cmteb's cross-encoder adapter)")
    if not meta.revision or not meta.open_weights:
        raise Unmappable("no open weights at a pinned revision in mteb (an API model: try --model api:NAME)")
    kwargs = dict(meta.loader_kwargs)
    for key, why in _WHY.items():
        if kwargs.get(key) not in (None, False):
            raise Unmappable(f"mteb's loader {why} ({key})")
    if kwargs.pop("include_prompt", True) is False:
        raise Unmappable("mteb's loader leaves the instruction out of the pooling (include_prompt), "
                         "which cmteb cannot")
    fields: dict[str, Any] = {"name": meta.name, "kind": ModelKind.BI_ENCODER,
                              "adapter": Adapter.SENTENCE_TRANSFORMERS,
                              "revision": meta.revision, "pooling": None, "normalize": None,
                              "max_length": kwargs.get("max_seq_length"), "symmetric_prefix": "",
                              "reference_dtype": _dtype(kwargs.get("model_kwargs"), meta.output_dtypes),
                              "source": source}
    _check_plain(kwargs.get("model_kwargs"), kwargs.get("config_kwargs"))
    if loader in ST_WRAPPERS:
        fields.update(_prompt_prefixes(kwargs.get("model_prompts") or {}, "mteb's model_prompts"))
        unknown = set(kwargs) - {"model_prompts", "model_kwargs", "device", "max_seq_length"}
    elif loader in INSTRUCT_WRAPPERS:
        fields.update(_instructions(kwargs, loader))
        unknown = set(kwargs) - {"instruction_template", "apply_instruction_to_passages", "prompts_dict",
                                 "max_seq_length", "model_kwargs", "config_kwargs"}
    else:
        raise Unmappable(f"a custom loader ({loader}, {source.split(' ', 2)[-1]}): cmteb cannot reproduce "
                         "its code")
    if unknown:
        raise Unmappable(f"mteb's loader settings {', '.join(sorted(unknown))} are not mapped by cmteb")
    return ModelEntry(**fields, notes=_note(loader))


def _note(loader: str) -> str:
    if loader in INSTRUCT_WRAPPERS:
        return ("from the pinned mteb's metadata; mteb also instructs symmetric texts: "
                "--instruction-scope all reproduces it")
    return "from the pinned mteb's metadata; pooling, normalization and max length are the checkpoint's"


def _check_plain(model_kwargs: Any, config_kwargs: Any) -> None:
    """Only a load dtype in model_kwargs and use_cache=False in config_kwargs change nothing else."""
    extra = set(model_kwargs or {}) - {"dtype", "torch_dtype"}
    if extra:
        raise Unmappable(f"mteb loads it with model settings {', '.join(sorted(extra))}, which cmteb "
                         "does not apply")
    if config_kwargs and dict(config_kwargs) != {"use_cache": False}:
        raise Unmappable(f"mteb changes its config ({', '.join(sorted(config_kwargs))}), which cmteb "
                         "does not")


def _dtype(model_kwargs: Any, output_dtypes: Any) -> str:
    """The dtype mteb loads the model in, as a registry `reference_dtype`."""
    value = (model_kwargs or {}).get("dtype") or (model_kwargs or {}).get("torch_dtype")
    if value is None and output_dtypes is not None and not isinstance(output_dtypes, list):
        value = output_dtypes
    text = str(getattr(value, "value", value) or "")
    return "bf16" if "bfloat16" in text or text == "bf16" else "fp16" if "float16" in text else "fp32"


def _prompt_prefixes(prompts: dict[str, str], where: str) -> dict[str, str]:
    """Query / passage prefixes from sentence-transformers prompts keyed by prompt type."""
    other = sorted(set(prompts) - {"query", "document"})
    if other:
        raise Unmappable(f"{where} are keyed by task or task type ({', '.join(other[:3])}), which cmteb "
                         "does not map")
    return {"query_prefix": prompts.get("query") or "", "passage_prefix": prompts.get("document") or ""}


def _instructions(kwargs: dict[str, Any], loader: str) -> dict[str, Any]:
    """Query instruction and per-task instructions of an instruction wrapper."""
    from mteb.models.model_implementations import qwen3_models

    template = qwen3_models.instruction_template if loader == "q3e_instruct_loader" \
        else kwargs.get("instruction_template")
    passages = kwargs.get("apply_instruction_to_passages", True) if loader != "q3e_instruct_loader" else False
    if template is None:
        raise Unmappable("an instruction wrapper without a template (instructions used as they are)")
    query, on_documents = _template(template)
    if on_documents and passages is not False:
        raise Unmappable("mteb puts an instruction on passages too, which cmteb's text policy never does")
    own: dict[str, str] = {}
    for key, value in (kwargs.get("prompts_dict") or {}).items():
        if key in ("query", "document"):
            raise Unmappable(f"its prompts_dict has a prompt-type key ({key}), which cmteb does not map")
        if isinstance(value, dict):
            if value.get("document"):
                raise Unmappable(f"its prompts_dict instructs passages ({key}), which cmteb's text policy "
                                 "never does")
            value = value.get("query") or ""
        elif passages is not False:
            raise Unmappable(f"mteb puts its instruction for {key} on passages too "
                             "(apply_instruction_to_passages)")
        own[str(key)] = value
    if passages is not False and not callable(template):
        raise Unmappable("mteb puts the task instruction on passages too (apply_instruction_to_passages), "
                         "which cmteb's text policy never does")
    return {"query_instruction": query, "task_instructions": own}


def _template(template: Any) -> tuple[str, bool]:
    """(cmteb template with `{task}`, whether passages get an instruction) from mteb's template: a
    string with `{instruction}`, or a function of (instruction, prompt type), called on markers."""
    if isinstance(template, str):
        if template.count("{instruction}") != 1:
            raise Unmappable(f"its instruction template {template!r} has no single {{instruction}}")
        return template.replace("{instruction}", "{task}"), True
    from mteb.types import PromptType

    a, b = _MARKERS
    try:
        query, symmetric, document = (template(a, t) for t in (PromptType.query, None, PromptType.document))
        second = template(b, PromptType.query)
    except Exception as exc:  # any failure means we cannot read the template
        raise Unmappable(f"its instruction template function cannot be read ({type(exc).__name__})") from exc
    if not isinstance(query, str) or query.count(a) != 1 or query != symmetric:
        raise Unmappable("its instruction template function does not give one template for queries and "
                         "symmetric texts")
    result = query.replace(a, "{task}")
    if second != result.replace("{task}", b):
        raise Unmappable("its instruction template function is not a fixed template")
    return result, bool(document)


def resolve_mteb_model(name: str, opts: Any) -> Any:
    """`cmteb run --model NAME` for a model only the pinned mteb describes: its entry at its pinned
    revision (UserError, one line, for one it cannot map), checked against the checkpoint's
    sentence-transformers config; the source is recorded in the model settings."""
    from cmteb.models.checkpoint import from_hub

    found = mteb_model(name)
    assert found is not None
    if found.entry is None:
        raise UserError(f"model {name}: the pinned mteb describes it, but cmteb cannot run it faithfully: "
                        f"{found.refusal}")
    model = from_hub(name, opts, found.entry, pinned_by="described by the pinned mteb")
    entry = _with_checkpoint_prompts(found.entry, name, model.revision)
    return replace(model, policy=apply_policy_overrides(entry.policy(), opts),
                   settings={**model.settings, "model_source": found.source})


def _with_checkpoint_prompts(entry: ModelEntry, name: str, commit: str) -> ModelEntry:
    """The entry with the checkpoint's built-in sentence-transformers prompts, which mteb uses when
    its metadata gives none (UserError for a default prompt, a Router, or prompts left out of the
    pooling: mteb's texts would differ from cmteb's)."""
    from cmteb.models.hub import hub_file

    def read(filename: str) -> Any:
        path = hub_file(name, filename, commit)
        return json.loads(Path(path).read_text(encoding="utf-8")) if path else None

    config = read("config_sentence_transformers.json") or {}
    modules = read("modules.json") or []
    where = f"model {name}: its sentence-transformers config"
    if config.get("default_prompt_name"):
        raise UserError(f"{where} sets default_prompt_name {config['default_prompt_name']!r}, applied to "
                        "every text without a prompt; cmteb does not map it")
    if any(str(m.get("type", "")).endswith("Router") for m in modules if isinstance(m, dict)):
        raise UserError(f"{where} routes queries and documents through different modules; cmteb does "
                        "not map it")
    prompts = {k: v for k, v in (config.get("prompts") or {}).items() if v}
    if entry.query_instruction is None and not entry.query_prefix and not entry.passage_prefix and prompts:
        try:
            return entry.model_copy(update=_prompt_prefixes(prompts, "its built-in prompts"))
        except Unmappable as why:
            raise UserError(f"model {name}: {why}") from why
    return entry
