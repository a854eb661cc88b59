"""Read one side of a comparison: one model's results from a folder (TaskResult files at any
depth, each with its `{Task}.samples.json` when present) or from a baseline file.

Accepted files: cmteb results (mteb TaskResult + `cmteb` block), plain mteb TaskResult files
(mteb >= 1.11), and older mteb files (converted with the pinned mteb's own
`TaskResult.from_disk`). JSON files that are not task results (e.g. mteb's `model_meta.json`)
are ignored. A task found twice, or results of several models, make the set unusable (the user
points at one model's revision folder instead). A cmteb result holding a score that is not a
finite number, and a per-sample file that does not describe its result (other splits, a value
that is not a finite number, query ids that are not distinct strings), are refused (UserError).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmteb.errors import UserError, UserErrors
from cmteb.results.io import json_files, read_json
from cmteb.results.task_result import (
    check_readable,
    describe_value,
    is_finite_number,
    samples_path,
    scores_shape_ok,
)

log = logging.getLogger("cmteb.compare")

Samples = dict[str, dict[str, list[Any]]]  # {split: {key: values}}
ID_KEY = "query_ids"  # retrieval's per-query samples pair up by these ids


class CompareInputError(UserErrors):
    """Input that `cmteb compare` cannot use; one line per problem (exit 2)."""


@dataclass(frozen=True)
class TaskFile:
    """One task's result: `doc` (mteb TaskResult, scores 0-1), `samples` or None, `origin`."""

    task: str
    doc: dict[str, Any]
    samples: Samples | None
    origin: str

    @property
    def block(self) -> dict[str, Any]:
        """The `cmteb` block ({} for a plain mteb file)."""
        return self.doc.get("cmteb") or {}

    @property
    def model(self) -> str | None:
        return _text(self.block.get("model"), "name")


@dataclass(frozen=True)
class ResultSet:
    origin: str
    tasks: dict[str, TaskFile]

    @property
    def model(self) -> str | None:
        return next((f.model for f in self.tasks.values() if f.model), None)

    @property
    def revision(self) -> str | None:
        return next((_text(f.block.get("model"), "revision") for f in self.tasks.values()
                     if f.block), None)


def _text(record: Any, key: str) -> str | None:
    """`record[key]` when `record` is an object and the value a string, else None."""
    value = record.get(key) if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def load_result_folder(path: Path) -> ResultSet:
    """A folder of results (a baseline file: `cmteb.compare.baseline.load_result_set`)."""
    if not path.is_dir():
        raise UserError(f"{path}: no such results folder or baseline file")
    files: dict[str, TaskFile] = {}
    for file in json_files(path):
        if file.name.endswith(".samples.json") or file.name.startswith("."):
            continue
        task_file = read_task_file(file)
        if task_file is None:
            continue
        if task_file.task in files:
            raise CompareInputError([_duplicate(task_file, files[task_file.task])])
        files[task_file.task] = task_file
    if not files:
        raise UserError(f"{path}: no task result files found (looked for */<Task>.json at any depth)")
    models = sorted({f.model for f in files.values() if f.model})
    if len(models) > 1:
        raise UserError(f"{path}: holds results of several models ({', '.join(models)}); "
                        "point at one model's folder")
    return ResultSet(origin=str(path), tasks=files)


def _duplicate(new: TaskFile, old: TaskFile) -> str:
    quick = {bool(f.block.get("quick")) for f in (new, old)}
    why = "quick and full results side by side" if len(quick) > 1 else "found twice"
    return (f"task {new.task}: {why} ({old.origin} and {new.origin}); "
            "point at one revision folder")


def read_task_file(file: Path) -> TaskFile | None:
    """The task result in `file`, or None when the JSON is not a task result."""
    doc = read_json(file)
    if not isinstance(doc, dict):
        return None
    if "mteb_dataset_name" in doc and "scores" not in doc:
        doc = _convert_legacy(file)
    if not isinstance(doc.get("task_name"), str) or not isinstance(doc.get("scores"), dict):
        log.info("%s: not a task result, ignored", file)
        return None
    check_result(doc, str(file))
    samples = None
    sample_file = samples_path(file)
    if sample_file.exists():
        samples = check_samples(read_json(sample_file), str(sample_file), set(doc["scores"]))
    return TaskFile(task=doc["task_name"], doc=doc, samples=samples, origin=str(file))


def check_result(doc: dict[str, Any], origin: str) -> None:
    """UserError naming `origin` when a task result's scores are malformed or not finite
    (`cmteb.results.task_result.check_readable`)."""
    if not scores_shape_ok(doc.get("scores")):
        raise UserError(f"{origin}: malformed 'scores' (expected {{split: [score entries]}})")
    check_readable(doc, origin)


def check_samples(doc: Any, origin: str, result_splits: set[str]) -> Samples:
    """`{"splits": {split: {key: [values]}}}` -> the splits mapping; UserError naming `origin`
    unless it has exactly the result's splits, `query_ids` of distinct strings and finite numbers
    in every other column."""
    splits = doc.get("splits") if isinstance(doc, dict) else None
    if not isinstance(splits, dict) or not all(
        isinstance(cols, dict) and all(isinstance(v, list) for v in cols.values())
        for cols in splits.values()
    ):
        raise UserError(f"{origin}: not a per-sample scores file "
                        '(expected {"task", "splits": {split: {key: [values]}}})')
    if set(splits) != result_splits:
        raise UserError(f"{origin}: per-sample scores for split(s) {', '.join(sorted(splits)) or 'none'}, "
                        f"but the result has {', '.join(sorted(result_splits))}")
    for split, columns in splits.items():
        for key, values in columns.items():
            problem = _column_problem(key, values)
            if problem:
                raise UserError(f"{origin}: split {split}: {key}{problem}")
    return splits


def _column_problem(key: str, values: list[Any]) -> str | None:
    if key == ID_KEY:
        if not all(isinstance(v, str) for v in values) or len(set(values)) != len(values):
            return " must hold distinct strings"
        return None
    bad = next((i for i, v in enumerate(values) if not is_finite_number(v)), None)
    return None if bad is None else f"[{bad}] is {describe_value(values[bad])}, not a finite number"


def _convert_legacy(file: Path) -> dict[str, Any]:
    """A pre-1.11 mteb file in today's layout, by the pinned mteb (imported only when needed)."""
    from mteb.results import TaskResult

    mteb_log = logging.getLogger("mteb")
    level = mteb_log.level
    mteb_log.setLevel(logging.ERROR)  # its "main score not found" notes are about mteb's protocol
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = TaskResult.from_disk(file)
    except Exception as exc:  # mteb raises many kinds; report the file
        raise UserError(f"{file}: cannot read this old mteb result file: {exc}") from exc
    finally:
        mteb_log.setLevel(level)
    return {"task_name": result.task_name, "dataset_revision": result.dataset_revision,
            "mteb_version": result.mteb_version, "scores": result.to_dict()["scores"]}
