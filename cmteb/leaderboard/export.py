"""`Leaderboard` -> one JSON document (`leaderboard.json`, `--format json`): everything the
tables show plus provenance: per task the file, metric, mteb version and deviations."""

from __future__ import annotations

from typing import Any

from cmteb.leaderboard.records import Average, Leaderboard, ModelRow, TaskScore


def _average(avg: Average) -> dict[str, Any]:
    return {"score": avg.value, "missing": list(avg.missing), "deviating": list(avg.marked)}


def _task(score: TaskScore) -> dict[str, Any]:
    src = score.source
    return {
        "score": score.value, "raw": score.raw, "metric": score.metric,
        "deviations": list(score.deviations), "missing": score.missing,
        "file": str(src.path) if src else None,
        "folder": src.revision if src else None,
        "producer": src.producer if src else None,
        "dataset_revision": src.dataset_revision if src else None,
    }


def _row(row: ModelRow) -> dict[str, Any]:
    return {
        "model": row.model, "Avg": _average(row.overall),
        "types": {t: _average(a) for t, a in row.types.items()},
        "tasks": {t: _task(s) for t, s in row.tasks.items()},
        "folders": list(row.folders), "producers": list(row.producers),
        "protocols": list(row.protocols), "date": row.date, "n_parameters": row.n_parameters,
    }


def leaderboard_dict(board: Leaderboard) -> dict[str, Any]:
    return {
        "benchmark": board.benchmark, "description": board.description,
        "protocol": board.protocol, "strict": board.strict,
        "scale": "0-100; task = round(score*100, 2); means = round(mean of rounded, 2)",
        "types": {t: list(m) for t, m in board.types.items()},
        "tasks": [{"name": c.task, "type": c.type, "splits": list(c.splits), "subset": c.subset,
                   "metric": c.metric} for c in board.conventions],
        "models": [_row(r) for r in board.rows],
        "ignored": list(board.ignored),
    }
