"""Small formatting rules shared by every output, so Markdown, CSV, HTML and plots agree."""

from __future__ import annotations

import datetime as dt

from cmteb.leaderboard.records import Average, Leaderboard, ModelRow, TaskScore

DEVIATION_MARK = "†"
MISSING_TEXT = "—"
ROUNDING_NOTE = ("Scores are 0-100. Each task is rounded to 2 decimals, then averaged and rounded "
                 "again (the published tables' rule); category and overall means are over tasks, "
                 "and are empty when any of their tasks is missing.")


def score_text(value: float | None) -> str:
    """`81.60`; empty for a missing value (CSV contract)."""
    return "" if value is None else f"{value:.2f}"


def task_cell(score: TaskScore) -> str:
    """Markdown/console cell: value with a deviation mark, or the missing sign."""
    if score.value is None:
        return MISSING_TEXT
    return score_text(score.value) + (DEVIATION_MARK if score.deviations else "")


def average_cell(avg: Average) -> str:
    if avg.value is None:
        return MISSING_TEXT
    return score_text(avg.value) + (DEVIATION_MARK if avg.marked else "")


def date_text(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).strftime("%Y-%m-%d")


def parameters_text(n: int | None) -> str:
    """`335M`, `1.5B`; empty when unknown."""
    if n is None:
        return ""
    return f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M"


def missing_text(avg: Average, limit: int = 4) -> str:
    """The missing tasks of a row, named (or counted when there are many)."""
    if not avg.missing:
        return ""
    if len(avg.missing) <= limit:
        return ", ".join(avg.missing)
    return f"{len(avg.missing)} tasks"


def labels(board: Leaderboard) -> dict[str, str]:
    """Task name -> column label (`STS22 (zh)`)."""
    return {c.task: c.label for c in board.conventions}


def deviation_lines(row: ModelRow) -> list[str]:
    """`Task: reason` for each deviating task score of the row."""
    return [f"{task}: {'; '.join(score.deviations)}" for task, score in row.tasks.items()
            if score.deviations]


def provenance_text(row: ModelRow) -> str:
    """`folders (producers)` of a row, as the Markdown and HTML show it."""
    return f"{', '.join(row.folders)} ({', '.join(row.producers)})"
