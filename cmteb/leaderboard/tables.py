"""Markdown and CSV renderings of a `Leaderboard` (they compute nothing).

CSV (contract): one row per model: `Rank`, `model`, `Avg` (overall), `Published avg`, one column
per task type, then one per task; scores 0-100 with 2 decimals, empty when missing; then the
Borda rank, the mean the rank is based on and over how many tasks, the Avg's 95% interval, the
missing tasks, the model facts and the published average's rule. Text cells are protected
against spreadsheet formula injection (`cmteb.textsafe.csv_cell`). Deviation marks and
provenance are in `leaderboard.json` and the Markdown, never inside CSV numbers.

Every name in the Markdown goes through `cmteb.textsafe.md_text` (which also keeps GitHub from
turning URLs into links); a model's link fact that is a plain http(s) URL is the one link, written
as a CommonMark autolink `<URL>`, as `index.html` links it.
"""

from __future__ import annotations

import csv
import io
import re

from cmteb.leaderboard import present
from cmteb.leaderboard.records import Fact, Leaderboard, ModelRow
from cmteb.textsafe import csv_cell, md_code, md_text, one_line

FACT_COLUMNS = {"parameters": "Parameters", "embed_dim": "Embedding dim",
                "max_tokens": "Max tokens", "memory_fp32_mb": "Memory fp32 (MB)",
                "memory_bf16_mb": "Memory bf16 (MB)", "access": "Access", "link": "Link"}
# what may stand inside `<...>` as a link in a table cell: no blank, angle bracket or cell break
_AUTOLINK = re.compile(r"https?://[^\s<>|]+")


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _csv_facts(row: ModelRow) -> list[object]:
    facts = vars(row.facts)
    return [("" if facts[key] is None else facts[key].value) for key in FACT_COLUMNS]


def csv_text(board: Leaderboard) -> str:
    tasks = [t for members in board.types.values() for t in members]
    out = io.StringIO()
    writer = csv.writer(out)  # RFC 4180 line ends: a CR or LF inside a name gets quoted
    writer.writerow(["Rank", "model", "Avg", "Published avg", *board.types, *tasks,
                     "Rank (Borda)", "Ranked on", "Tasks", "Avg CI95 low", "Avg CI95 high",
                     "Missing", *FACT_COLUMNS.values(), "Published rule"])
    for row in board.rows:
        ranking, interval = row.ranking, row.overall.interval
        cells = [
            _number(ranking.rank if ranking else None), row.model,
            present.score_text(row.overall.value),
            "" if row.published is None else present.score_text(row.published.value),
            *(present.score_text(row.types[t].value) for t in board.types),
            *(present.score_text(row.tasks[t].value) for t in tasks),
            _number(ranking.borda if ranking else None),
            present.score_text(ranking.mean if ranking else None),
            f"{ranking.tasks}/{ranking.of}" if ranking else "",
            present.score_text(interval.low if interval else None),
            present.score_text(interval.high if interval else None),
            "; ".join(row.overall.missing), *_csv_facts(row),
            "" if row.published is None else row.published.rule,
        ]
        writer.writerow([csv_cell(c) for c in cells])
    return out.getvalue()


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table; cells must already be Markdown-safe (`md_text` for any name)."""
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"
    return [line(header), "|" + "|".join(" --- " for _ in header) + "|", *map(line, rows)]


def summary_lines(board: Leaderboard) -> list[str]:
    """The headline table: ranks, Model, Avg with its interval, published Avg, the mean each row
    is ranked on, one column per type, Missing."""
    header = ["Rank", "Model", "Avg", "95% CI", "Published avg", "Ranked on", "Borda",
              *map(md_text, board.types), "Missing"]
    rows = [[present.rank_text(row.ranking), md_text(row.model), present.average_cell(row.overall),
             present.interval_text(row.overall.interval), present.published_text(row),
             present.ranked_on_text(row.ranking),
             _number(row.ranking.borda if row.ranking else None),
             *(present.average_cell(row.types[t]) for t in board.types),
             md_text(present.missing_text(row.overall))] for row in board.rows]
    return _table(header, rows)


def _type_section(board: Leaderboard, task_type: str) -> list[str]:
    members = board.types[task_type]
    names = present.labels(board)
    header = ["Model", f"{md_text(task_type)} avg", *(md_text(names[t]) for t in members)]
    rows = [[md_text(row.model), present.average_cell(row.types[task_type]),
             *(present.task_cell(row.tasks[t]) for t in members)] for row in board.rows]
    return [f"## {md_text(task_type)}", "", *_table(header, rows), ""]


def _fact_md(key: str, fact: Fact | None) -> str:
    """A fact's Markdown cell: a web link as an autolink (module doc), anything else as text."""
    text = present.fact_text(key, fact)
    if key == "link" and _AUTOLINK.fullmatch(text) and one_line(text) == text:
        return f"<{text}>"
    return md_text(text)


def _facts_section(board: Leaderboard) -> list[str]:
    header = ["Model", *FACT_COLUMNS.values()]
    rows = [[md_text(row.model), *(_fact_md(key, getattr(row.facts, key)) for key in FACT_COLUMNS)]
            for row in board.rows]
    return ["## Models", "", *_table(header, rows), "", "Sources of these facts are in the notes.", ""]


def _speed_section(board: Leaderboard) -> list[str]:
    if not board.speed:
        return []
    header = ["Hardware", "dtype", "Model", "Tasks", "Texts/s", "s per task", "Ranked on"]
    rows = [[md_text(s.hardware), md_text(s.dtype), md_text(s.model), str(s.tasks),
             "" if s.texts_per_s is None else f"{s.texts_per_s:,.1f}", f"{s.s_per_task:,.1f}",
             present.score_text(s.score)] for s in board.speed]
    return ["## Speed", "", "Recorded timings; rows of different hardware or dtype are never "
            "combined. Texts/s counts the texts a model encoded (cache hits excluded).", "",
            *_table(header, rows), ""]


def _fact_sources(row: ModelRow) -> str:
    by_source: dict[str, list[str]] = {}
    for key, fact in vars(row.facts).items():
        if fact is not None:
            by_source.setdefault(fact.source, []).append(FACT_COLUMNS[key].lower())
    return "; ".join(f"{', '.join(keys)} from {source}" for source, keys in by_source.items())


def _notes_section(board: Leaderboard) -> list[str]:
    lines = ["## Sources and notes", ""]
    for row in board.rows:
        lines.append(f"- **{md_text(row.model)}**: {md_text(present.provenance_text(row))}; "
                     f"protocol {md_text(', '.join(row.protocols))}"
                     + (f"; run {present.date_text(row.date)}" if row.date else ""))
        if row.published is not None:
            pub = row.published
            lines.append(f"  - published avg {present.score_text(pub.value)} ({md_text(pub.tasks)}; "
                         f"{md_text(pub.source)}): {md_text(pub.rule)}")
        if row.ranking is not None and row.ranking.partial and row.ranking.mean is not None:
            lines.append(f"  - {present.PARTIAL_MARK} ranked on {row.ranking.tasks} of "
                         f"{row.ranking.of} tasks")
        sources = _fact_sources(row)
        if sources:
            lines.append(f"  - facts: {md_text(sources)}")
        for task in row.overall.missing:
            lines.append(f"  - missing {md_text(task)}: {md_text(row.tasks[task].missing or '')}")
        for line in present.deviation_lines(row):
            lines.append(f"  - {present.DEVIATION_MARK} {md_text(line)}")
    lines += [f"- left out: {md_text(line)}" for line in board.ignored]
    return [*lines, ""]


def markdown_text(board: Leaderboard) -> str:
    strict = " Strict: results that deviate from the convention count as missing." if board.strict else ""
    head = [
        f"# {md_text(board.benchmark)} leaderboard", "",
        f"{md_text(board.description)}", "",
        "Tasks: " + ", ".join(f"{md_text(t)} {len(m)}" for t, m in board.types.items())
        + f" ({sum(map(len, board.types.values()))} in all).", "",
        f"Protocol {md_code(board.protocol, in_table=False)}. {present.ROUNDING_NOTE} "
        f"{present.DEVIATION_MARK} marks a score whose source differs from the benchmark's convention "
        "(see the notes); "
        f"{present.MISSING_TEXT} marks a missing score.{strict}", "",
        f"{present.RANK_NOTE} {present.interval_note(board)} {present.PUBLISHED_NOTE}", "",
    ]
    body = summary_lines(board) + [""]
    for task_type in board.types:
        body += _type_section(board, task_type)
    body += _facts_section(board) + _speed_section(board)
    return "\n".join(head + body + _notes_section(board))
