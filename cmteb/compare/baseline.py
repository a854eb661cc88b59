"""Baseline files: one model's results (scores, settings, per-sample scores) in one JSON file
meant to live in git, e.g. `baselines/<org__model>.json` (`.quick.json` for quick results).

Layout (`format: cmteb-baseline/1`):
    {"format", "model", "revision", "protocol", "quick", "saved_from",
     "summary": {task: {"type", "metric", "score" (points), "samples": {split: n}}},
     "tasks": {task: {"result": <TaskResult without date/timings/hardware>,
                      "samples": {split: {key: [values]}} or null}}}
Lists of numbers are written on one line each and everything else indented, so a review diff
shows which task's scores changed. No embeddings, no texts. A baseline holds finite numbers
only: saving results with a NaN or infinite number refuses, and so does reading such a file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cmteb.compare.resultset import ResultSet, TaskFile, check_result, check_samples
from cmteb.errors import UserError
from cmteb.results.io import read_json, write_text_atomic
from cmteb.results.names import model_folder
from cmteb.results.task_result import first_nonfinite

FORMAT = "cmteb-baseline/1"
VOLATILE_TOP = ("date", "evaluation_time", "kg_co2_emissions")
VOLATILE_BLOCK = ("timings", "hardware")


def baseline_path(baselines_dir: Path, model: str, quick: bool) -> Path:
    """`<dir>/<org__model>.json`, or `<org__model>.quick.json` for quick results."""
    return baselines_dir / f"{model_folder(model, 'baseline name')}{'.quick' if quick else ''}.json"


def is_quick(results: ResultSet) -> bool:
    return any(bool(f.block.get("quick")) for f in results.tasks.values())


def _stable(doc: dict[str, Any]) -> dict[str, Any]:
    """The result without what changes from run to run of the same settings."""
    out = {k: v for k, v in doc.items() if k not in VOLATILE_TOP}
    if isinstance(doc.get("cmteb"), dict):
        out["cmteb"] = {k: v for k, v in doc["cmteb"].items() if k not in VOLATILE_BLOCK}
    return out


def build_baseline(results: ResultSet, main_scores: dict[str, tuple[str, str, float]]) -> dict[str, Any]:
    """The baseline document; `main_scores[task]` = (type, metric, score in points). UserError
    naming the file when a result holds a NaN or infinite number (a plain mteb file may)."""
    for file in results.tasks.values():
        found = first_nonfinite(file.doc.get("scores"), "scores", null=False)
        if found:
            raise UserError(f"{file.origin}: {found}; a baseline holds finite numbers only")
    first = next(iter(results.tasks.values()))
    summary = {}
    for task, (task_type, metric, score) in main_scores.items():
        samples = results.tasks[task].samples or {}
        summary[task] = {"type": task_type, "metric": metric, "score": round(score, 2),
                         "samples": {s: len(next(iter(c.values()), [])) for s, c in samples.items()}}
    return {
        "format": FORMAT, "model": results.model, "revision": results.revision,
        "protocol": first.block.get("protocol"), "quick": is_quick(results),
        "saved_from": results.origin, "summary": summary,
        "tasks": {t: {"result": _stable(f.doc), "samples": f.samples} for t, f in results.tasks.items()},
    }


def dumps(value: Any, indent: int = 0) -> str:
    """JSON with containers indented, except lists of scalars, which stay on one line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {dumps(v, indent + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        return "[\n" + ",\n".join(inner + dumps(v, indent + 1) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def write_baseline(path: Path, doc: dict[str, Any]) -> None:
    write_text_atomic(path, dumps(doc) + "\n")


def read_baseline(path: Path) -> ResultSet:
    """A baseline file as a ResultSet (UserError naming the file when it is not one)."""
    doc = read_json(path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("tasks"), dict):
        raise UserError(f"{path}: not a cmteb baseline file (expected format {FORMAT!r}) "
                        "and not a results folder")
    found = first_nonfinite(doc, "baseline", null=False)
    if found:
        raise UserError(f"{path}: {found}; a baseline holds finite numbers only")
    tasks = {}
    for task, entry in doc["tasks"].items():
        result = entry.get("result") if isinstance(entry, dict) else None
        if not isinstance(result, dict) or not isinstance(result.get("scores"), dict):
            raise UserError(f"{path}: task {task}: no result with scores")
        samples = entry.get("samples")
        origin = f"{path}#{task}"
        check_result(result, origin)
        tasks[task] = TaskFile(task, result, None if samples is None else
                               check_samples({"splits": samples}, origin, set(result["scores"])), origin)
    return ResultSet(origin=str(path), tasks=tasks)
