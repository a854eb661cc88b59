"""`cmteb merge`: assemble result folders (e.g. each shard's --output-dir) into one folder.

Result files (JSON with `task_name` and `scores`) are found at any depth and keep their path
relative to their input folder (`{org__model}/{revision}/{Task}.json`); `{Task}.samples.json`
and a retrieval task's `{Task}.run.json.gz` (a reranker's first stage) travel with their result.
Other JSON files are ignored. Files are copied byte for byte, atomically.

Duplicate policy: the same relative path in several inputs, or already in the output folder, is
fine when the copies agree: equal `scores` and equal decisive settings (`cmteb` block, see
`DECISIVE_KEYS`); timings and provenance may differ. Any disagreement is a conflict, and a merge
with a conflict writes nothing. A cmteb result holding a score that is not a finite number, an
input that is not a folder and an `--out` that is not a folder are refused (UserError) before
anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmteb.errors import UserError
from cmteb.results.io import json_files, read_json, write_bytes_atomic
from cmteb.results.runs import run_path
from cmteb.results.task_result import (
    DECISIVE_KEYS,
    check_readable,
    decisive,
    samples_path,
    setting_difference,
)


@dataclass(frozen=True)
class Found:
    folder: Path  # the input folder it was found in
    path: Path
    doc: dict[str, Any]


@dataclass
class MergePlan:
    copies: dict[Path, Found] = field(default_factory=dict)  # relative path -> file to copy
    duplicates: int = 0  # identical copies among the inputs
    present: int = 0  # identical files already in the output folder
    ignored: int = 0  # JSON files that are not results
    conflicts: list[str] = field(default_factory=list)


def is_result(doc: Any) -> bool:
    """A TaskResult document: an object with `task_name` and a `scores` object."""
    return isinstance(doc, dict) and "task_name" in doc and isinstance(doc.get("scores"), dict)


def find_results(folder: Path, skip: Path | None = None) -> tuple[dict[Path, Found], int]:
    """Result files under `folder` (not under `skip`) by relative path, and the count of other JSON."""
    found: dict[Path, Found] = {}
    ignored = 0
    for path in json_files(folder):
        if path.name.endswith(".samples.json") or (skip is not None and path.is_relative_to(skip)):
            continue
        doc = read_json(path)
        if is_result(doc):
            check_readable(doc, str(path))
            found[path.relative_to(folder)] = Found(folder, path, doc)
        else:
            ignored += 1
    return found, ignored


def difference(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """Why two results of the same file disagree (first differing setting or score), else None."""
    block_a, block_b = decisive(a.get("cmteb") or {}), decisive(b.get("cmteb") or {})
    for key in DECISIVE_KEYS:
        if block_a[key] != block_b[key]:
            return f"made with a different {setting_difference(key, block_a[key], block_b[key])}"
    return _first_difference(a["scores"], b["scores"], "scores")


def _first_difference(a: Any, b: Any, where: str) -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return f"{where}.{key} is missing on one side"
            found = _first_difference(a[key], b[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return next((d for i, (x, y) in enumerate(zip(a, b, strict=True))
                     if (d := _first_difference(x, y, f"{where}[{i}]"))), None)
    return None if a == b else f"{where} differs ({a!r} != {b!r})"


def plan_merge(inputs: list[Path], out: Path) -> MergePlan:
    """What merging `inputs` into `out` copies, and every conflict (UserError for a missing input)."""
    for folder in inputs:
        if not folder.is_dir():
            raise UserError(f"{folder}: no such results folder")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")
    plan = MergePlan()
    existing = find_results(out)[0] if out.is_dir() else {}
    inside = out.resolve()
    chosen: dict[Path, Found] = {}
    for folder in inputs:
        skip = inside if inside.is_relative_to(folder.resolve()) and inside != folder.resolve() else None
        found, ignored = find_results(folder, skip)
        plan.ignored += ignored
        for rel, item in found.items():
            first = chosen.get(rel) or existing.get(rel)
            if first is None:
                chosen[rel] = item
                continue
            why = difference(first.doc, item.doc)
            if why:
                plan.conflicts.append(f"conflict: {rel}: {first.path} and {item.path}: {why}")
            elif rel in existing:
                plan.present += 1
            else:
                plan.duplicates += 1
    plan.copies = {rel: item for rel, item in chosen.items() if rel not in existing}
    return plan


def apply_merge(plan: MergePlan, out: Path) -> None:
    """Copy the planned files (with their samples and run files) into `out`, each atomically, the
    result last (a result file is what marks a task finished)."""
    if plan.conflicts:
        raise UserError(f"{len(plan.conflicts)} conflicting result file(s); nothing written")
    for rel, item in plan.copies.items():
        for companion in (samples_path, run_path):
            if companion(item.path).exists():
                write_bytes_atomic(companion(out / rel), companion(item.path).read_bytes())
        write_bytes_atomic(out / rel, item.path.read_bytes())
