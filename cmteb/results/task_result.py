"""Build and check result files: mteb's TaskResult JSON plus cmteb's `cmteb` provenance block.

Layout: `OUTPUT/{org__model}/{revision}/{Task}.json`, scores 0-1 as mteb stores them; per-sample
scores beside it as `{Task}.samples.json` (`{"task", "splits": {split: {key: [values]}}}`).

Finite scores only: cmteb never writes a score that is NaN or infinite (the task fails instead,
`TaskError`), and every reader of a cmteb result (`cmteb run`'s finished check, `compare`,
`baseline`, `merge`, `leaderboard`) refuses one that holds such a number, or a `main_score` that
is not a number (`score_problem`). Files of other producers (plain mteb files) are checked on the
values a command uses only: mteb itself stores NaN for undefined metrics it does not rank by
(AP of multi-class classification, nAUC at 1000, AFQMC's unlabelled test split).
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any

from cmteb.data.types import DataSource
from cmteb.errors import TaskError, UserError
from cmteb.evaluators import SplitResult
from cmteb.protocols import PROTOCOLS
from cmteb.results import names, provenance
from cmteb.results.io import read_json
from cmteb.tasks.spec import TaskSpec

# Settings whose change changes a score; a finished task is reused only when all are equal.
DECISIVE_KEYS = (
    "protocol", "task_version", "model", "text_policy", "model_settings", "search", "data", "quick",
    "quick_sample",
)


def result_path(output_dir: Path, model_folder: str, revision: str, task: str) -> Path:
    """`output_dir/model_folder/revision/task.json`; UserError when a name could leave the folder
    (`cmteb.results.names`)."""
    return (output_dir / names.path_component(model_folder, "model folder")
            / names.path_component(revision, "revision") / f"{names.path_component(task, 'task name')}.json")


def samples_path(result_file: Path) -> Path:
    return result_file.with_name(result_file.stem + ".samples.json")


def data_record(source: DataSource) -> dict[str, Any]:
    """The `cmteb.data` entry of a result: {kind, location, revision, fingerprint} of its data."""
    return {"kind": source.kind, "location": source.location,
            "revision": source.revision, "fingerprint": source.fingerprint}


def _too_large(value: Any) -> bool:
    """An int (JSON allows any size) beyond the float range, e.g. 10**400."""
    return type(value) is int and abs(value) > sys.float_info.max


def is_finite_number(value: Any) -> bool:
    """An int or float (not a bool) that is neither NaN nor infinite nor beyond the float range."""
    return isinstance(value, int | float) and not isinstance(value, bool) and not _too_large(value) \
        and math.isfinite(value)


def describe_value(value: Any) -> str:
    """How a value that is not a finite number reads in a message: NaN, Infinity, null, a string."""
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value is None:
        return "null"
    if _too_large(value):
        return "a number too large for a float"
    return f"not a number ({type(value).__name__})"


def first_nonfinite(value: Any, where: str, *, null: bool = True) -> str | None:
    """`where.path is NaN` for the first NaN or infinite float, int beyond the float range, or null
    (unless `null` is False) at any depth of `value` (depth first, in document order), else None."""
    stack = [(where, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item) or _too_large(item) or (null and item is None):
            return f"{path} is {describe_value(item)}"
        if isinstance(item, dict):
            stack.extend(reversed([(f"{path}.{key}", v) for key, v in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{path}[{i}]", v) for i, v in enumerate(item)]))
    return None


def score_problem(scores: Any) -> str | None:
    """Why a cmteb result's `scores` cannot be used: the first score that is NaN, infinite or null
    (any depth), or a `main_score` that is missing or not a number; None when all are finite."""
    if isinstance(scores, dict):
        for split, entries in scores.items():
            for i, entry in enumerate(entries if isinstance(entries, list) else []):
                main = entry.get("main_score") if isinstance(entry, dict) else None
                if isinstance(entry, dict) and not is_finite_number(main):
                    return f"scores.{split}[{i}].main_score is {describe_value(main)}"
    return first_nonfinite(scores, "scores")


def check_readable(doc: dict[str, Any], origin: str) -> None:
    """UserError naming `origin` when a task result's `cmteb` block is not an object, records a
    protocol cmteb does not know, or the result holds a score that is not a finite number
    (`score_problem`; plain mteb files are checked where a value is used, see the module
    docstring)."""
    if "cmteb" not in doc:
        return
    block = doc["cmteb"]
    if not isinstance(block, dict):
        raise UserError(f"{origin}: the 'cmteb' block is not an object")
    protocol = block.get("protocol")
    if protocol is not None and (not isinstance(protocol, str) or protocol not in PROTOCOLS):
        raise UserError(f"{origin}: unknown protocol {protocol!r} (cmteb knows {', '.join(PROTOCOLS)})")
    problem = score_problem(doc.get("scores"))
    if problem:
        raise UserError(f"{origin}: {problem}, not a finite score")


def _check_metrics(spec: TaskSpec, split: str, result: SplitResult) -> None:
    """TaskError when the evaluator produced a score or per-sample value that is not finite."""
    named = [*result.metrics.items(), *((f"per-sample {k}", v) for k, v in result.samples.items())]
    found = next((f for key, value in named if (f := first_nonfinite(value, key))), None)
    if found:
        raise TaskError(f"task {spec.name}: split {split}: {found}; the score is undefined for "
                        "this model's embeddings")


def split_scores(spec: TaskSpec, protocol: str, split: str, result: SplitResult) -> list[dict[str, Any]]:
    """One mteb ScoresDict per split: metrics + main_score (the protocol's) + subset + languages.
    TaskError when the main score is missing or a metric is not a finite number."""
    metric = spec.main_metric(protocol)  # type: ignore[arg-type]
    if metric not in result.metrics:
        raise TaskError(f"task {spec.name}: evaluator produced no {metric!r} (main score)")
    _check_metrics(spec, split, result)
    return [{**result.metrics, "main_score": result.metrics[metric],
             "hf_subset": spec.hf_subset, "languages": list(spec.languages)}]


def build_result(
    spec: TaskSpec,
    *,
    protocol: str,
    splits: dict[str, SplitResult],
    cmteb_block: dict[str, Any],
    evaluation_time: float,
) -> dict[str, Any]:
    """The result document; `cmteb_block` comes from `RunContext.cmteb_block` (see runner)."""
    data = cmteb_block["data"]
    return {
        "dataset_revision": data["revision"] or data["fingerprint"] or "unknown",
        "task_name": spec.name,
        "mteb_version": provenance.mteb_version(),
        "scores": {name: split_scores(spec, protocol, name, res) for name, res in splits.items()},
        "evaluation_time": evaluation_time,
        "kg_co2_emissions": None,
        "date": time.time(),
        "cmteb": cmteb_block,
    }


def build_samples(spec: TaskSpec, splits: dict[str, SplitResult]) -> dict[str, Any]:
    """The `{Task}.samples.json` document: `{"task", "splits": {split: {key: [per-sample values]}}}`
    (the keys per task type: `SplitResult.samples`)."""
    return {"task": spec.name, "splits": {name: res.samples for name, res in splits.items()}}


def decisive(cmteb_block: dict[str, Any]) -> dict[str, Any]:
    """The DECISIVE_KEYS of a `cmteb` block. Files written before the search was recorded have no
    "search": their retrieval tasks used the exact search. Local data is decided by its content
    fingerprint: the folder it was read from (`--data-dir d1` or `$PWD/d1`, another machine's
    copy) is provenance only, left out here."""
    settings = {key: cmteb_block.get(key) for key in DECISIVE_KEYS}
    if "search" not in cmteb_block and cmteb_block.get("task_type") == "Retrieval":
        settings["search"] = "exact"
    data = settings["data"]
    if isinstance(data, dict) and data.get("fingerprint"):
        settings["data"] = {key: value for key, value in data.items() if key != "location"}
    return settings


_KEEP = "not overwritten: delete it to recompute the task, or use --overwrite"


def scores_shape_ok(scores: Any) -> bool:
    """`scores` is mteb's `{split: [score entry objects]}`, non-empty, with any
    `protocol_variants` of an entry an object of objects."""
    return isinstance(scores, dict) and bool(scores) and all(
        isinstance(entries, list) and entries and all(
            isinstance(e, dict) and isinstance(e.get("protocol_variants", {}), dict)
            and all(isinstance(v, dict) for v in e.get("protocol_variants", {}).values())
            for e in entries)
        for entries in scores.values())


def _check_shape(doc: Any, path: Path) -> dict[str, Any]:
    """The parts of a result file a resumed run relies on: cmteb block, task name, scores."""
    if not isinstance(doc, dict) or not isinstance(doc.get("cmteb"), dict):
        raise UserError(f"{path}: not a cmteb result file (no 'cmteb' block); {_KEEP}")
    if doc.get("task_name") != path.stem:
        raise UserError(f"{path}: holds a result of task {doc.get('task_name')!r}, "
                        f"not {path.stem!r}; {_KEEP}")
    scores = doc.get("scores")
    if not scores_shape_ok(scores):
        raise UserError(f"{path}: malformed 'scores' (expected {{split: [score entries]}}); {_KEEP}")
    problem = score_problem(scores)
    if problem:
        raise UserError(f"{path}: {problem}, not a finite score; {_KEEP}")
    return doc


def existing_result(path: Path, wanted: dict[str, Any]) -> dict[str, Any] | None:
    """The finished result at `path` when its decisive settings equal `wanted`, else None if absent.

    Raises UserError naming the task and the first differing setting when they differ, and when
    the file is corrupt or not a cmteb result (never silently replaced).
    """
    if not path.exists():
        return None
    try:
        doc = read_json(path)
    except UserError as exc:
        raise UserError(f"{exc}; {_KEEP}") from exc
    doc = _check_shape(doc, path)
    have = decisive(doc["cmteb"])
    for key in DECISIVE_KEYS:
        if have.get(key) != wanted.get(key):
            raise UserError(
                f"task {doc.get('task_name', path.stem)}: existing result {path} was made with a "
                f"different {setting_difference(key, have.get(key), wanted.get(key))}; "
                "use another --output-dir, or --overwrite"
            )
    return doc


def setting_difference(key: str, have: Any, wanted: Any) -> str:
    """`key (have != wanted)` for a differing setting, narrowed to the first differing entry while
    both sides are dicts (`model.adapter ('transformers' != 'sentence-transformers')`)."""
    while isinstance(have, dict) and isinstance(wanted, dict):
        keys = sorted(set(have) | set(wanted), key=str)
        inner = next((k for k in keys if have.get(k) != wanted.get(k)), None)
        if inner is None:
            break
        key, have, wanted = f"{key}.{inner}", have.get(inner), wanted.get(inner)
    return f"{key} ({have!r} != {wanted!r})"
