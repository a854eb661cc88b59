"""Parse a task result document of any mteb generation into one shape.

Generations (all store scores 0-1):
- TaskResult (mteb >= ~1.11, and cmteb): `task_name`, `scores: {split: [{hf_subset, metric: value,
  ...}]}`; cmteb adds a `cmteb` block and may put `protocol_variants: {protocol: {metric: value}}`
  inside a split entry.
- Old mteb 1.x: `mteb_dataset_name`, `{split: {metric: value | {group: {metric: value}}}}`, e.g.
  `{"validation": {"cos_sim": {"ap": ...}, "max": {...}}}`, or with per-language sub-dicts
  `{"test": {"zh": {"cos_sim": {...}}}}`.

Nested groups are flattened with a dot (`cos_sim.ap`); `convention.metric_value` maps the current
metric names onto those keys. Non-numeric values (lists, strings, booleans) are dropped.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from cmteb.leaderboard.records import ScoreTable, VariantTable

# Old file and task names -> the current task name.
TASK_ALIASES: dict[str, str] = {
    "CMedQAv1": "CMedQAv1-reranking",
    "CMedQAv2": "CMedQAv2-reranking",
    "MmarcoReranking": "MMarcoReranking",
}
# Top-level keys of old-format files that are not splits.
_OLD_META = {"dataset_revision", "mteb_dataset_name", "mteb_version", "evaluation_time",
             "kg_co2_emissions", "task_name", "date"}
# Metric groups of old pair-classification / STS files: never a language subset.
_METRIC_GROUPS = {"cos_sim", "cosine", "euclidean", "manhattan", "dot", "max", "similarity"}


def task_name(doc: dict[str, Any], fallback: str) -> str:
    """The current task name of a document (file stem when the document names none)."""
    name = doc.get("task_name") or doc.get("mteb_dataset_name") or fallback
    return TASK_ALIASES.get(str(name), str(name))


def looks_like_result(doc: Any) -> bool:
    """True for a task result of either generation (not model_meta.json or other JSON)."""
    if not isinstance(doc, dict):
        return False
    if "scores" in doc and ("task_name" in doc or "cmteb" in doc):
        return True
    return "mteb_dataset_name" in doc


def flatten(values: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """`{"cos_sim": {"ap": 0.7}}` -> `{"cos_sim.ap": 0.7}`; numbers only (NaN kept; an int beyond
    the float range, which JSON allows, becomes an infinity, refused where it is used)."""
    flat: dict[str, float] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, prefix=f"{name}."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            in_range = not abs(value) > sys.float_info.max  # (NaN is kept as is)
            flat[name] = float(value) if in_range else math.inf if value > 0 else -math.inf
    return flat


def parse_scores(doc: dict[str, Any]) -> tuple[ScoreTable, VariantTable]:
    """The document's scores as `{split: {subset: {metric: value}}}` plus cmteb's variants.

    Raises ValueError (with the reason) when the scores are not in any known layout.
    """
    if "scores" in doc:
        return _parse_task_result(doc["scores"])
    return _parse_old(doc), {}


def _parse_task_result(scores: Any) -> tuple[ScoreTable, VariantTable]:
    if not isinstance(scores, dict):
        raise ValueError("`scores` is not an object")
    table: ScoreTable = {}
    variants: VariantTable = {}
    for split, entries in scores.items():
        if not isinstance(entries, list):
            raise ValueError(f"scores.{split} is not a list of subset entries")
        for entry in entries:
            if not isinstance(entry, dict):
                raise ValueError(f"scores.{split} holds a non-object entry")
            subset = str(entry.get("hf_subset", "default"))
            metrics = {k: v for k, v in entry.items() if k != "protocol_variants"}
            table.setdefault(split, {})[subset] = flatten(metrics)
            extra = entry.get("protocol_variants")
            if isinstance(extra, dict):
                variants.setdefault(split, {})[subset] = {
                    str(p): flatten(m) for p, m in extra.items() if isinstance(m, dict)
                }
    return table, variants


def _is_subset_dict(split_scores: dict[str, Any]) -> bool:
    """Old layout: are the dict-valued keys of a split language subsets (not metric groups)?"""
    keys = [k for k in split_scores if k != "evaluation_time"]
    dict_keys = [k for k in keys if isinstance(split_scores[k], dict)]
    return bool(dict_keys) and len(dict_keys) == len(keys) and not set(dict_keys) & _METRIC_GROUPS


def _parse_old(doc: dict[str, Any]) -> ScoreTable:
    table: ScoreTable = {}
    for split, split_scores in doc.items():
        if split in _OLD_META or not isinstance(split_scores, dict):
            continue
        if _is_subset_dict(split_scores):
            table[split] = {
                str(subset): flatten(values) for subset, values in split_scores.items()
                if isinstance(values, dict)
            }
        else:
            table[split] = {"default": flatten(split_scores)}
    if not table:
        raise ValueError("no split scores found")
    return table
