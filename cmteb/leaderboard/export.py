"""`Leaderboard` -> one JSON document (`leaderboard.json`, `--format json`): everything the
tables show plus provenance: per task the file, metric, mteb version, deviations and 95% interval;
per model the ranks, facts (each with its source) and the published average with its rule."""

from __future__ import annotations

from typing import Any

from cmteb.leaderboard import present
from cmteb.leaderboard.records import (
    Average,
    Interval,
    Leaderboard,
    ModelFacts,
    ModelRow,
    PublishedAverage,
    Ranking,
    SpeedRow,
    TaskScore,
)


def interval_dict(interval: Interval | None) -> dict[str, Any] | None:
    """`{"low", "high", "resamples"}` in points (4 dp), or None."""
    if interval is None:
        return None
    return {"low": round(interval.low, 4), "high": round(interval.high, 4),
            "resamples": interval.resamples}


def _average(avg: Average) -> dict[str, Any]:
    return {"score": avg.value, "ci95": interval_dict(avg.interval), "missing": list(avg.missing),
            "deviating": list(avg.marked)}


def _task(score: TaskScore) -> dict[str, Any]:
    src = score.source
    return {
        "score": score.value, "raw": score.raw, "metric": score.metric,
        "ci95": interval_dict(score.interval), "no_ci95": score.no_interval,
        "deviations": list(score.deviations), "missing": score.missing,
        "file": str(src.path) if src else None,
        "folder": src.revision if src else None,
        "producer": src.producer if src else None,
        "dataset_revision": src.dataset_revision if src else None,
    }


def _ranking(ranking: Ranking | None) -> dict[str, Any] | None:
    if ranking is None:
        return None
    return {"rank": ranking.rank, "borda_rank": ranking.borda, "borda_points": ranking.borda_points,
            "mean": ranking.mean, "ci95": interval_dict(ranking.interval),
            "tasks": ranking.tasks, "of": ranking.of, "partial": ranking.partial}


def _facts(facts: ModelFacts) -> dict[str, Any]:
    return {key: None if fact is None else {"value": fact.value, "source": fact.source}
            for key, fact in vars(facts).items()}


def _published(published: PublishedAverage | None) -> dict[str, Any] | None:
    return None if published is None else dict(vars(published))


def _row(row: ModelRow) -> dict[str, Any]:
    return {
        "model": row.model, "ranking": _ranking(row.ranking), "Avg": _average(row.overall),
        "published": _published(row.published),
        "types": {t: _average(a) for t, a in row.types.items()},
        "tasks": {t: _task(s) for t, s in row.tasks.items()},
        "facts": _facts(row.facts),
        "folders": list(row.folders), "producers": list(row.producers),
        "protocols": list(row.protocols), "date": row.date,
    }


def _speed(speed: SpeedRow) -> dict[str, Any]:
    return {**vars(speed), "texts_per_s": speed.texts_per_s, "s_per_task": speed.s_per_task}


def leaderboard_dict(board: Leaderboard) -> dict[str, Any]:
    return {
        "benchmark": board.benchmark, "description": board.description,
        "protocol": board.protocol, "strict": board.strict,
        "scale": "0-100; task = round(score*100, 2); means = round(mean of rounded, 2)",
        "rules": {"rank": present.RANK_NOTE, "intervals": present.interval_note(board),
                  "published": present.PUBLISHED_NOTE},
        "types": {t: list(m) for t, m in board.types.items()},
        "tasks": [{"name": c.task, "type": c.type, "splits": list(c.splits), "subset": c.subset,
                   "metric": c.metric} for c in board.conventions],
        "models": [_row(r) for r in board.rows],
        "speed": [_speed(s) for s in board.speed],
        "ignored": list(board.ignored),
    }
