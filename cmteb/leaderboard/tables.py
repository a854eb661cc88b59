"""Markdown and CSV renderings of a `Leaderboard` (they compute nothing).

CSV (contract): one row per model: `model`, `Avg` (overall), one column per task type, then one
per task; scores 0-100 with 2 decimals, empty when missing. Deviation marks and provenance are in
`leaderboard.json` and the Markdown, never inside CSV numbers.
"""

from __future__ import annotations

import csv
import io

from cmteb.leaderboard import present
from cmteb.leaderboard.records import Leaderboard


def csv_text(board: Leaderboard) -> str:
    tasks = [t for members in board.types.values() for t in members]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["model", "Avg", *board.types, *tasks])
    for row in board.rows:
        writer.writerow([
            row.model, present.score_text(row.overall.value),
            *(present.score_text(row.types[t].value) for t in board.types),
            *(present.score_text(row.tasks[t].value) for t in tasks),
        ])
    return out.getvalue()


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
    return [line(header), "|" + "|".join(" --- " for _ in header) + "|", *map(line, rows)]


def summary_lines(board: Leaderboard) -> list[str]:
    """The README-style table: Model, Avg, one column per type, Missing."""
    header = ["Model", "Avg", *board.types, "Missing"]
    rows = [[row.model, present.average_cell(row.overall),
             *(present.average_cell(row.types[t]) for t in board.types),
             present.missing_text(row.overall)] for row in board.rows]
    return _table(header, rows)


def _type_section(board: Leaderboard, task_type: str) -> list[str]:
    members = board.types[task_type]
    names = present.labels(board)
    header = ["Model", *(names[t] for t in members), "Avg"]
    rows = [[row.model, *(present.task_cell(row.tasks[t]) for t in members),
             present.average_cell(row.types[task_type])] for row in board.rows]
    return [f"## {task_type}", "", *_table(header, rows), ""]


def _notes_section(board: Leaderboard) -> list[str]:
    lines = ["## Sources and notes", ""]
    for row in board.rows:
        lines.append(f"- **{row.model}**: {present.provenance_text(row)}; "
                     f"protocol {', '.join(row.protocols)}"
                     + (f"; run {present.date_text(row.date)}" if row.date else ""))
        for task in row.overall.missing:
            lines.append(f"  - missing {task}: {row.tasks[task].missing}")
        for line in present.deviation_lines(row):
            lines.append(f"  - {present.DEVIATION_MARK} {line}")
    lines += [f"- left out: {line}" for line in board.ignored]
    return [*lines, ""]


def markdown_text(board: Leaderboard) -> str:
    strict = " Strict: results that deviate from the convention count as missing." if board.strict else ""
    head = [
        f"# {board.benchmark} leaderboard", "",
        f"{board.description}", "",
        "Tasks: " + ", ".join(f"{t} {len(m)}" for t, m in board.types.items())
        + f" ({sum(map(len, board.types.values()))} in all).", "",
        f"Protocol `{board.protocol}`. {present.ROUNDING_NOTE} {present.DEVIATION_MARK} marks a score "
        f"whose source differs from the benchmark's convention (see the notes); "
        f"{present.MISSING_TEXT} marks a missing score.{strict}", "",
    ]
    body = summary_lines(board) + [""]
    for task_type in board.types:
        body += _type_section(board, task_type)
    return "\n".join(head + body + _notes_section(board))
