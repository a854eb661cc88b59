"""Build and check result files: mteb's TaskResult JSON plus cmteb's `cmteb` provenance block.

Layout: `OUTPUT/{org__model}/{revision}/{Task}.json`, scores 0-1 as mteb stores them; per-sample
scores beside it as `{Task}.samples.json` (`{"task", "splits": {split: {key: [values]}}}`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from cmteb.data.types import DataSource
from cmteb.errors import TaskError, UserError
from cmteb.evaluators import SplitResult
from cmteb.results import provenance
from cmteb.results.io import read_json
from cmteb.tasks.spec import TaskSpec

# Settings whose change changes a score; a finished task is reused only when all are equal.
DECISIVE_KEYS = (
    "protocol", "task_version", "model", "text_policy", "model_settings", "search", "data", "quick",
    "quick_sample",
)


def result_path(output_dir: Path, model_folder: str, revision: str, task: str) -> Path:
    return output_dir / model_folder / revision / f"{task}.json"


def samples_path(result_file: Path) -> Path:
    return result_file.with_name(result_file.stem + ".samples.json")


def data_record(source: DataSource) -> dict[str, Any]:
    return {"kind": source.kind, "location": source.location,
            "revision": source.revision, "fingerprint": source.fingerprint}


def split_scores(spec: TaskSpec, protocol: str, result: SplitResult) -> list[dict[str, Any]]:
    """One mteb ScoresDict per split: metrics + main_score (the protocol's) + subset + languages."""
    metric = spec.main_metric(protocol)  # type: ignore[arg-type]
    if metric not in result.metrics:
        raise TaskError(f"task {spec.name}: evaluator produced no {metric!r} (main score)")
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
        "scores": {name: split_scores(spec, protocol, res) for name, res in splits.items()},
        "evaluation_time": evaluation_time,
        "kg_co2_emissions": None,
        "date": time.time(),
        "cmteb": cmteb_block,
    }


def build_samples(spec: TaskSpec, splits: dict[str, SplitResult]) -> dict[str, Any]:
    return {"task": spec.name, "splits": {name: res.samples for name, res in splits.items()}}


def decisive(cmteb_block: dict[str, Any]) -> dict[str, Any]:
    """The DECISIVE_KEYS of a `cmteb` block. Files written before the search was recorded have no
    "search": their retrieval tasks used the exact search."""
    settings = {key: cmteb_block.get(key) for key in DECISIVE_KEYS}
    if "search" not in cmteb_block and cmteb_block.get("task_type") == "Retrieval":
        settings["search"] = "exact"
    return settings


_KEEP = "not overwritten: delete it to recompute the task, or use --overwrite"


def _check_shape(doc: Any, path: Path) -> dict[str, Any]:
    """The parts of a result file a resumed run relies on: cmteb block, task name, scores."""
    if not isinstance(doc, dict) or not isinstance(doc.get("cmteb"), dict):
        raise UserError(f"{path}: not a cmteb result file (no 'cmteb' block); {_KEEP}")
    if doc.get("task_name") != path.stem:
        raise UserError(f"{path}: holds a result of task {doc.get('task_name')!r}, "
                        f"not {path.stem!r}; {_KEEP}")
    scores = doc.get("scores")
    entries_ok = isinstance(scores, dict) and scores and all(
        isinstance(entries, list) and entries and all(
            isinstance(e, dict) and isinstance(e.get("main_score", 0.0), float | int | None)
            for e in entries)
        for entries in scores.values())
    if not entries_ok:
        raise UserError(f"{path}: malformed 'scores' (expected {{split: [score entries]}}); {_KEEP}")
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
                f"different {key} ({have.get(key)!r} != {wanted.get(key)!r}); "
                "use another --output-dir, or --overwrite"
            )
    return doc
