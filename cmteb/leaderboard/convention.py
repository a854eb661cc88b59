"""Map one result file onto a benchmark's scoring convention for one task.

A benchmark (`tasks/benchmarks/*.yaml`) fixes per task: the splits (the task's protocol splits, or
the manifest's narrowing), the hf subset and the main metric of the benchmark's protocol. A file
of any generation serves when it holds that metric for every split in that subset; the task score
is the mean over the splits (mteb's `TaskResult.get_score`), in points.

Deviations (marked in every output; `strict` turns them into missing scores):
- Reranking `map` (cmteb: MAP over each query's candidates) and `map_at_1000` (mteb 2) stand in
  for each other when a file has only one of them.
- Retrieval procedures differ between the protocols (identical query/doc ids dropped or kept, see
  `cmteb.protocols`). cmteb results store the other protocol's metrics under
  `protocol_variants` whenever they differ, so they never deviate. Other files are judged by the
  mteb version that wrote them: 1.0-1.1 (the published C-MTEB files) = protocol cmteb, >= 2 =
  protocol mteb, anything between = rule unknown.
- cmteb results: a `quick` run, another task version, a hub dataset revision other than the
  pinned one, or a local copy of a hub dataset (cannot be checked against the pinned revision).
Dataset revisions written by other tools are not compared: the C-MTEB sets moved between hub
repositories (C-MTEB/* -> mteb/*), so their revisions are not comparable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from cmteb.leaderboard.records import ResultFile, TaskConvention
from cmteb.tasks.registry import BenchmarkSpec, TaskRegistry

# Reranking metrics that may stand in for each other (with a deviation mark).
SUBSTITUTES: dict[str, str] = {"map": "map_at_1000", "map_at_1000": "map"}
# mteb 2 metric prefixes -> the group name old files nest them under (`cos_sim.ap`).
_OLD_GROUPS: dict[str, str] = {"cosine": "cos_sim", "euclidean": "euclidean",
                               "manhattan": "manhattan", "dot": "dot", "max": "max"}
_CMTEB_ERA = (Version("1.0"), Version("1.2"))  # mteb versions that made the published tables


def conventions(bench: BenchmarkSpec, registry: TaskRegistry) -> list[TaskConvention]:
    """One convention per benchmark task, in manifest order."""
    out = []
    for name in bench.tasks:
        spec = registry.get(name)
        splits = bench.splits.get(name) or spec.eval_splits(bench.protocol)
        out.append(TaskConvention(
            task=spec.name, type=spec.type, protocol=bench.protocol, splits=tuple(splits),
            subset=spec.hf_subset, metric=spec.main_metric(bench.protocol), version=spec.version,
            dataset_path=spec.dataset.path, dataset_revision=spec.dataset.revision,
        ))
    return out


def metric_keys(metric: str) -> list[str]:
    """Keys that hold `metric` in any generation: `cosine_ap` -> cosine_ap, cos_sim.ap, cos_sim_ap."""
    keys = [metric]
    prefix, _, rest = metric.partition("_")
    if rest and prefix in _OLD_GROUPS:
        group = _OLD_GROUPS[prefix]
        keys += [f"{group}.{rest}", f"{group}_{rest}"]
    return list(dict.fromkeys(keys))


def metric_value(metrics: dict[str, float], metric: str) -> float | None:
    """`metric` from one split's scores under the first of its `metric_keys` present (any mteb
    generation); None when absent."""
    for key in metric_keys(metric):
        if key in metrics:
            return metrics[key]
    return None


def file_protocol(file: ResultFile) -> str | None:
    """The protocol whose procedures made the file: recorded by cmteb, else by mteb version."""
    if file.cmteb is not None:
        return file.cmteb.get("protocol")
    try:
        version = Version(file.mteb_version or "")
    except InvalidVersion:
        return None
    if _CMTEB_ERA[0] <= version < _CMTEB_ERA[1]:
        return "cmteb"
    return "mteb" if version >= Version("2") else None


@dataclass(frozen=True)
class Reading:
    """A task score taken from one file: points (mean over splits) or the reason it cannot be."""

    value: float | None
    metric: str | None = None
    deviations: tuple[str, ...] = ()
    problem: str | None = None


def _split_metrics(file: ResultFile, conv: TaskConvention, split: str) -> dict[str, float] | str:
    subsets = file.scores.get(split)
    if subsets is None:
        return f"no split {split} (has {', '.join(sorted(file.scores)) or 'none'})"
    if conv.subset not in subsets:
        return f"no subset {conv.subset} in {split} (has {', '.join(sorted(subsets))})"
    metrics = dict(subsets[conv.subset])
    variant = file.variants.get(split, {}).get(conv.subset, {}).get(conv.protocol)
    if variant and file_protocol(file) != conv.protocol:
        metrics.update(variant)
    return metrics


def _pick_metric(per_split: list[dict[str, float]], conv: TaskConvention) -> tuple[str, list] | str:
    """The metric key used and its per-split values, or the reason none fits."""
    candidates = [conv.metric]
    if conv.type == "Reranking" and conv.metric in SUBSTITUTES:
        candidates.append(SUBSTITUTES[conv.metric])
    for metric in candidates:
        values = [metric_value(m, metric) for m in per_split]
        if all(v is not None for v in values):
            if not all(math.isfinite(v) for v in values):
                return f"{metric} is not a number in the file"
            return metric, values
    return f"no {conv.metric} in the file"


def read_score(file: ResultFile, conv: TaskConvention) -> Reading:
    """Score `file` under `conv`: points = mean over `conv.splits` of the metric x 100."""
    per_split = []
    for split in conv.splits:
        metrics = _split_metrics(file, conv, split)
        if isinstance(metrics, str):
            return Reading(None, problem=metrics)
        per_split.append(metrics)
    picked = _pick_metric(per_split, conv)
    if isinstance(picked, str):
        return Reading(None, problem=picked)
    metric, values = picked
    points = sum(values) / len(values) * 100
    notes = []
    if metric != conv.metric:
        notes.append(f"{metric} stands in for {conv.metric} (the file has no {conv.metric})")
    notes += procedure_deviations(file, conv) + settings_deviations(file, conv)
    return Reading(points, metric=metric, deviations=tuple(notes))


def procedure_deviations(file: ResultFile, conv: TaskConvention) -> list[str]:
    """Retrieval scored by another protocol's procedure than the benchmark's (see module doc)."""
    if conv.type != "Retrieval" or file.cmteb is not None:
        return []
    made_by = file_protocol(file)
    if made_by == conv.protocol:
        return []
    if made_by is None:
        return [f"identical-id rule of {file.producer} unknown (protocol {conv.protocol} "
                f"{'drops' if conv.protocol == 'cmteb' else 'keeps'} hits whose id is the query's)"]
    return [f"scored by {file.producer} with protocol {made_by}'s identical-id rule, "
            f"not protocol {conv.protocol}'s"]


def settings_deviations(file: ResultFile, conv: TaskConvention) -> list[str]:
    """Recorded cmteb settings that differ from the benchmark's task definition."""
    block = file.cmteb
    if block is None:
        return []
    notes = []
    if block.get("quick"):
        notes.append("quick run (subsampled data)")
    if block.get("task_version") not in (None, conv.version):
        notes.append(f"task version {block.get('task_version')} (the registry has {conv.version})")
    data = block.get("data") if isinstance(block.get("data"), dict) else {}
    if conv.dataset_path is not None and data.get("kind") == "local":
        notes.append("local copy of the data (not checked against the pinned hub revision)")
    elif data.get("kind") == "hub" and data.get("revision") != conv.dataset_revision:
        notes.append(f"dataset revision {data.get('revision')} (the task pins {conv.dataset_revision})")
    return notes
