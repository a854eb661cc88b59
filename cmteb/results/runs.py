"""Per-query retrieval runs saved beside a result, so a reranker can reuse a first stage.

File: `{Task}.run.json.gz` next to `{Task}.json`, gzip-compressed JSON
`{"task", "protocol", "depth", "splits": {split: {query_id: [[doc_id, score], ...]}}}` with each
query's hits best first, at most `depth` of them (the selected protocol's ranking). Written
atomically (temporary file in the same folder, fsync, rename), like every result file.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cmteb.errors import UserError

RUN_DEPTH = 100  # hits kept per query: enough for the usual `--rerank-top-k 100`
RUN_SUFFIX = ".run.json.gz"
Run = dict[str, dict[str, float]]


def run_path(result_file: Path) -> Path:
    return result_file.with_name(result_file.stem + RUN_SUFFIX)


def write_runs(result_file: Path, task: str, protocol: str, runs: dict[str, Run], depth: int) -> Path:
    """Write `runs` ({split: run}) cut at `depth` hits per query; returns the file written."""
    doc = {
        "task": task, "protocol": protocol, "depth": depth,
        "splits": {split: {qid: [[d, float(s)] for d, s in list(hits.items())[:depth]]
                           for qid, hits in run.items()} for split, run in runs.items()},
    }
    path = run_path(result_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
            fh.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        with open(tmp, "rb") as check:
            os.fsync(check.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_runs(path: Path) -> dict[str, Any]:
    """The document written by `write_runs`, with each split's hits as `{qid: {doc_id: score}}`."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
        doc["splits"] = {split: {qid: {d: float(s) for d, s in hits} for qid, hits in run.items()}
                         for split, run in doc["splits"].items()}
        int(doc["depth"])
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: not a readable cmteb run file ({exc})") from exc
    return doc
