"""Export a leaderboard's cmteb results in the layout of the `embeddings-benchmark/results`
repository, so that copying the folder into a clone of it is the whole pull request.

Layout (the repository's, and what the pinned mteb's `ResultCache` reads):
`DIR/results/{org__model}/{revision}/{Task}.json` plus a `model_meta.json` per revision folder.

Each exported file is the result as the pinned mteb itself would write it for the task: an mteb
TaskResult (`dataset_revision`, `task_name`, `mteb_version`, `scores`, `evaluation_time`,
`kg_co2_emissions`, `date`) whose `main_score` entries are the mteb protocol's main metric
(e.g. `max_accuracy` for pair classification), with every metric taken from the mteb
procedure's values (cmteb's `protocol_variants`, where the two protocols differ); the `cmteb`
block and the variants are left out (the repository holds mteb's fields only).
`model_meta.json` is the pinned mteb's `ModelMeta.to_dict()` for the model at the exported
revision, or, for a model mteb does not know, the same fields filled from the leaderboard's facts.

Exported: the file each row uses for each task (the leaderboard's choice). Left out, with a
note: results not written by cmteb (they came from somewhere already), quick runs, and results
whose model name or revision cannot be a folder name (`cmteb.results.names`: `..`, separators,
control characters, ...).
Noted but exported: tasks the pinned mteb does not define, results on local data (the dataset
revision is then a content fingerprint, not the hub commit the repository expects) and model
names that are not `org/model`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmteb.errors import UserError
from cmteb.leaderboard.records import Leaderboard, ModelRow, ResultFile
from cmteb.models.mteb_models import mteb_model_meta
from cmteb.results.io import read_json
from cmteb.results.names import problem as path_problem
from cmteb.tasks.registry import TaskRegistry

RESULTS_DIR = "results"
PROTOCOL = "mteb"
_TASK_RESULT_KEYS = ("dataset_revision", "task_name", "mteb_version", "scores", "evaluation_time",
                     "kg_co2_emissions", "date")


@dataclass
class Export:
    """The files to write (relative path -> bytes) and one note per thing left out or doubtful."""

    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def folder_name(model: str) -> str:
    """`org__model`, as mteb's `ModelMeta.model_name_as_path()`."""
    return model.replace("/", "__").replace(" ", "_")


def mteb_view(doc: dict[str, Any], main_metric: str, origin: str = "result") -> dict[str, Any]:
    """The mteb TaskResult of a cmteb result document (module doc); UserError naming `origin`
    when a split entry lacks the main metric."""
    recorded = (doc.get("cmteb") or {}).get("protocol")
    scores: dict[str, list[dict[str, Any]]] = {}
    for split, entries in doc["scores"].items():
        scores[split] = []
        for entry in entries:
            metrics = {k: v for k, v in entry.items() if k != "protocol_variants"}
            if recorded != PROTOCOL:
                metrics.update((entry.get("protocol_variants") or {}).get(PROTOCOL) or {})
            if not isinstance(metrics.get(main_metric), (int, float)):
                raise UserError(f"{origin}: split {split} has no {main_metric} to export as "
                                "mteb's main score")
            metrics["main_score"] = metrics[main_metric]
            scores[split].append(metrics)
    view = {key: doc.get(key) for key in _TASK_RESULT_KEYS}
    view["scores"] = scores
    return view


def _model_meta(row: ModelRow, revision: str) -> dict[str, Any]:
    meta = mteb_model_meta(row.model)
    if meta is None:
        facts = row.facts
        meta = {"name": row.model, "n_parameters": _value(facts.parameters),
                "memory_usage_mb": _value(facts.memory_fp32_mb),
                "max_tokens": _value(facts.max_tokens), "embed_dim": _value(facts.embed_dim),
                "open_weights": {"open weights": True, "API": False}.get(_value(facts.access)),
                "reference": _value(facts.link), "release_date": None, "languages": None,
                "license": None, "public_training_code": None, "public_training_data": None,
                "framework": [], "similarity_fn_name": None, "use_instructions": None,
                "training_datasets": None, "modalities": ["text"], "loader": None}
    return {**meta, "revision": revision}


def _value(fact: Any) -> Any:
    return None if fact is None else fact.value


def _dump(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2, ensure_ascii=False, default=str, allow_nan=False) + "\n").encode()


def _export_file(file: ResultFile, row: ModelRow, registry: TaskRegistry, out: Export) -> str | None:
    """Add one result to `out`; returns its revision folder name (None when left out)."""
    block = file.cmteb
    where = f"{row.model} / {file.task}"
    if block is None:
        out.notes.append(f"{where}: not written by cmteb ({file.producer}); left out")
        return None
    if block.get("quick"):
        out.notes.append(f"{where}: a quick run (subsampled data); left out")
        return None
    spec = registry.get(file.task)
    revision = str((block.get("model") or {}).get("revision") or file.revision)
    if path_problem(revision) or path_problem(folder_name(row.model)):  # names from files are data
        out.notes.append(f"{where}: model name or revision {revision!r} cannot be a folder name; "
                         "left out")
        return None
    doc = read_json(file.path)
    path = f"{RESULTS_DIR}/{folder_name(row.model)}/{revision}/{file.task}.json"
    out.files[path] = _dump(mteb_view(doc, spec.main_metric(PROTOCOL), str(file.path)))
    if spec.dataset.path is None:
        out.notes.append(f"{where}: not a task of mteb (local-only task); exported anyway")
    elif (block.get("data") or {}).get("kind") == "local":
        out.notes.append(f"{where}: computed on local data: its dataset_revision is a content "
                         "fingerprint, not the hub commit the results repository expects")
    return revision


def export_results(board: Leaderboard) -> Export:
    """The results-repository files of every row's cmteb results (module doc)."""
    registry = TaskRegistry()
    out = Export()
    for row in board.rows:
        revisions = set()
        for score in row.tasks.values():
            if score.source is not None:
                revision = _export_file(score.source, row, registry, out)
                if revision is not None:
                    revisions.add(revision)
        for revision in sorted(revisions):
            out.files[f"{RESULTS_DIR}/{folder_name(row.model)}/{revision}/model_meta.json"] = \
                _dump(_model_meta(row, revision))
        if revisions and "/" not in row.model:
            out.notes.append(f"{row.model}: not an org/model name, which the results "
                             "repository expects")
    return out


def check_conflicts(files: dict[str, bytes], root: Path) -> None:
    """UserError when a file to export already exists under `root` with other content (a clone
    of the repository holding someone's results is never overwritten)."""
    clashing = [name for name, data in files.items()
                if (root / name).is_file() and (root / name).read_bytes() != data]
    if clashing:
        more = f" and {len(clashing) - 3} more" if len(clashing) > 3 else ""
        raise UserError(f"{root}: would overwrite different existing files: "
                        f"{', '.join(clashing[:3])}{more}; export into an empty folder")
