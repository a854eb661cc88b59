"""Small formatting rules shared by every output, so Markdown, CSV, HTML and plots agree."""

from __future__ import annotations

import datetime as dt

from cmteb.leaderboard import rank
from cmteb.leaderboard.records import (
    Average,
    Fact,
    Interval,
    Leaderboard,
    ModelRow,
    Ranking,
    TaskScore,
)
from cmteb.rounding import text2

DEVIATION_MARK = "†"
PARTIAL_MARK = "*"
MISSING_TEXT = "—"
ROUNDING_NOTE = ("Scores are 0-100. Each task is rounded to 2 decimals, then averaged and rounded "
                 "again (the published tables' rule); category and overall means are over tasks, "
                 "and are empty when any of their tasks is missing.")
RANK_NOTE = rank.RULE
PUBLISHED_NOTE = ("Published avg: the FlagEmbedding C-MTEB README's Avg (cmteb's registry); "
                  "the notes say which tasks it averages and why it differs from Avg.")
# Qualitative colours (matplotlib's tab10 then tab20's light shades): one per model.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
           "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5")


def score_text(value: float | None) -> str:
    """`81.60`; empty for a missing value (CSV contract)."""
    return text2(value)


def task_cell(score: TaskScore) -> str:
    """Markdown/console cell: value with a deviation mark, or the missing sign."""
    if score.value is None:
        return MISSING_TEXT
    return score_text(score.value) + (DEVIATION_MARK if score.deviations else "")


def average_cell(avg: Average) -> str:
    if avg.value is None:
        return MISSING_TEXT
    return score_text(avg.value) + (DEVIATION_MARK if avg.marked else "")


def interval_text(interval: Interval | None) -> str:
    """`63.10–64.20` (95% interval, 2 decimals); empty without one."""
    return "" if interval is None else f"{text2(interval.low)}–{text2(interval.high)}"


def interval_note(board: Leaderboard) -> str:
    if not board.resamples:
        return "No confidence intervals (computed with --resamples 0)."
    return (f"95% intervals: percentile bootstrap over the per-sample scores ({board.resamples} "
            f"resamples, seed {board.seed}); an average's from the same resamples of its tasks.")


def rank_text(ranking: Ranking | None) -> str:
    """`3`, `3*` (ranked on the tasks it has), or the missing sign."""
    if ranking is None or ranking.rank is None:
        return MISSING_TEXT
    return f"{ranking.rank}{PARTIAL_MARK if ranking.partial else ''}"


def ranked_on_text(ranking: Ranking | None) -> str:
    """`64.80 (32/35)`: the mean a row is ranked on and over how many of the tasks."""
    if ranking is None or ranking.mean is None:
        return MISSING_TEXT
    return f"{score_text(ranking.mean)} ({ranking.tasks}/{ranking.of})"


def date_text(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).strftime("%Y-%m-%d")


def parameters_text(n: float | None) -> str:
    """`335M`, `1.5B`, `33.4M`, `50M` (3 significant digits); empty when unknown."""
    if n is None:
        return ""
    return f"{n / 1e9:.3g}B" if n >= 1e9 else f"{n / 1e6:.3g}M"


def fact_text(key: str, fact: Fact | None) -> str:
    """A model fact as a table shows it (empty when unknown)."""
    if fact is None:
        return ""
    if key == "parameters":
        return parameters_text(fact.value)  # type: ignore[arg-type]
    if key.startswith("memory"):
        return f"{fact.value:,.0f} MB"
    if isinstance(fact.value, float) and fact.value.is_integer():
        return str(int(fact.value))
    return str(fact.value)


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


def published_text(row: ModelRow) -> str:
    """`64.53` or empty."""
    return "" if row.published is None else score_text(row.published.value)


def model_colors(board: Leaderboard) -> dict[str, str]:
    """One colour per model, by the models' names in alphabetical order: the same in every plot
    and on the page, whatever a plot is sorted by (colours repeat after 20 models)."""
    names = sorted(r.model for r in board.rows)
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
