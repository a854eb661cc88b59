"""Find and read every task result file under the `--results` folders.

Layout (mteb's results repository and cmteb's output alike): `DIR/.../{org__model}/{revision}/
{Task}.json` at any depth. The model is the cmteb block's model name when there is one, else the
grandparent folder name with `__` read as `/`; the revision is the parent folder name.

Skipped without a word: `*.samples.json`, hidden/temporary files, `model_meta.json` and any JSON
that is not a task result. A file that is a task result but cannot be parsed, or is corrupt JSON,
is a `UserError` naming it: a published table never silently drops a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cmteb.errors import UserError
from cmteb.leaderboard.formats import looks_like_result, parse_scores, task_name
from cmteb.leaderboard.records import ResultFile
from cmteb.results.io import json_files, read_json
from cmteb.results.task_result import check_readable

MODEL_META = "model_meta.json"


def result_paths(root: Path) -> list[Path]:
    """Candidate result files under `root`, sorted (deterministic)."""
    if not root.is_dir():
        raise UserError(f"--results {root}: no such folder")
    return [p for p in json_files(root)
            if not p.name.startswith(".") and not p.name.endswith(".samples.json")
            and p.name != MODEL_META and p.is_file()]


def _model_name(path: Path, block: dict[str, Any] | None) -> str:
    if block is not None:
        model = block.get("model")
        if isinstance(model, dict) and isinstance(model.get("name"), str) and model["name"]:
            return model["name"]
    return path.parent.parent.name.replace("__", "/")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read_result(path: Path) -> ResultFile | None:
    """Parse one file; None when it is not a task result at all."""
    doc = read_json(path)  # NaN (real mteb files, e.g. AFQMC test) reads as float nan
    if not looks_like_result(doc):
        return None
    check_readable(doc, str(path))  # a cmteb result never holds NaN; mteb's own files may
    block = doc.get("cmteb") if isinstance(doc.get("cmteb"), dict) else None
    try:
        scores, variants = parse_scores(doc)
    except ValueError as exc:
        raise UserError(f"{path}: not a readable task result: {exc}") from exc
    date, seconds = doc.get("date"), doc.get("evaluation_time")
    return ResultFile(
        path=path.resolve(),
        task=task_name(doc, path.stem),
        model=_model_name(path, block),
        revision=path.parent.name,
        mteb_version=str(doc["mteb_version"]) if doc.get("mteb_version") else None,
        date=float(date) if _number(date) else None,
        dataset_revision=doc.get("dataset_revision"),
        scores=scores,
        variants=variants,
        cmteb=block,
        evaluation_time=float(seconds) if _number(seconds) else None,
    )


def read_results(roots: Iterable[Path]) -> list[ResultFile]:
    """Every task result under the given folders (a file reached twice is read once)."""
    seen: set[Path] = set()
    files: list[ResultFile] = []
    for root in roots:
        for path in result_paths(root):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            parsed = read_result(path)
            if parsed is not None:
                files.append(parsed)
    return files
