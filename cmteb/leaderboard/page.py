"""`Leaderboard` -> one static `index.html` that works offline from the file system.

The tables are rendered here (readable without JavaScript); the inlined script (`assets/`) only
switches tabs and sorts columns. Tabs: Overview (Avg and one column per type), one per task type
(its tasks and mean), Models (revision folders, producers, protocol, date, size, notes) and
Plots. A missing cell is hatched and says why on hover; a deviating score carries the mark and
its reason on hover. Every text is HTML-escaped.
"""

from __future__ import annotations

import re
from html import escape
from importlib import resources

from cmteb.leaderboard import present
from cmteb.leaderboard.records import Average, Leaderboard, ModelRow, TaskScore

_COMMIT = re.compile(r"[0-9a-f]{40}")


def _asset(name: str) -> str:
    return resources.files("cmteb.leaderboard").joinpath("assets", name).read_text(encoding="utf-8")


def _attrs(**attrs: str | None) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"'
                   for k, v in attrs.items() if v is not None)


def _num_cell(value: float | None, *, why_missing: str, deviations: list[str], extra: str = "") -> str:
    if value is None:
        return f'<td{_attrs(class_=f"num missing {extra}".strip(), data_value="", title=why_missing)}>' \
               f"{present.MISSING_TEXT}</td>"
    classes = f"num {'deviates ' if deviations else ''}{extra}".strip()
    mark = f'<span class="mark">{present.DEVIATION_MARK}</span>' if deviations else ""
    title = "; ".join(deviations) or None
    return f"<td{_attrs(class_=classes, data_value=f'{value:.2f}', title=title)}>" \
           f"{present.score_text(value)}{mark}</td>"


def task_cell(score: TaskScore) -> str:
    return _num_cell(score.value, why_missing=f"missing: {score.missing}",
                     deviations=list(score.deviations))


def average_cell(avg: Average, extra: str = "avg") -> str:
    why = "missing: " + ", ".join(avg.missing)
    devs = [f"includes deviating {', '.join(avg.marked)}"] if avg.marked else []
    return _num_cell(avg.value, why_missing=why, deviations=devs, extra=extra)


def _model_th(row: ModelRow) -> str:
    short = ", ".join(f[:12] if _COMMIT.fullmatch(f) else f for f in row.folders)
    return (f'<th scope="row"{_attrs(data_value=row.model)}>{escape(row.model)}'
            f'<span class="sub"{_attrs(title=", ".join(row.folders))}>{escape(short)}</span></th>')


def _head(columns: list[tuple[str, str]], sorted_col: int | None = None) -> str:
    cells = []
    for i, (label, kind) in enumerate(columns):
        sort = "descending" if i == sorted_col else None
        cells.append(f"<th{_attrs(data_type=kind, aria_sort=sort)}>{escape(label)}</th>")
    return f"<thead><tr>{''.join(cells)}</tr></thead>"


def _table(table_id: str, head: str, rows: list[str]) -> str:
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return f'<table class="sortable" id="{escape(table_id)}">{head}<tbody>{body}</tbody></table>'


def overview_panel(board: Leaderboard) -> str:
    columns = [("Model", "text"), ("Avg", "num"), *((t, "num") for t in board.types),
               ("Parameters", "num")]
    rows = [
        _model_th(r) + average_cell(r.overall)
        + "".join(average_cell(r.types[t], extra="") for t in board.types)
        + f'<td class="num"{_attrs(data_value=str(r.n_parameters or ""))}>'
          f"{present.parameters_text(r.n_parameters)}</td>"
        for r in board.rows
    ]
    return _table("table-overview", _head(columns, sorted_col=1), rows)


def type_panel(board: Leaderboard, task_type: str) -> str:
    members = board.types[task_type]
    names = present.labels(board)
    columns = [("Model", "text"), *((names[t], "num") for t in members), (f"{task_type} avg", "num")]
    rows = [_model_th(r) + "".join(task_cell(r.tasks[t]) for t in members)
            + average_cell(r.types[task_type]) for r in board.rows]
    return _table(f"table-{task_type}", _head(columns), rows)


def _notes_cell(row: ModelRow) -> str:
    """Missing and marked tasks with their reasons, folded under a one-line summary."""
    missing = [f"missing {t}: {row.tasks[t].missing}" for t in row.overall.missing]
    marked = [f"{present.DEVIATION_MARK} {line}" for line in present.deviation_lines(row)]
    items = "".join(f"<li>{escape(i)}</li>" for i in missing + marked)
    summary = f"{len(missing)} missing, {len(marked)} marked"
    body = f"<details><summary>{summary}</summary><ul>{items}</ul></details>" if items else ""
    return f'<td class="notes"{_attrs(data_value=str(len(missing) + len(marked)))}>{body}</td>'


def models_panel(board: Leaderboard) -> str:
    columns = [("Model", "text"), ("Parameters", "num"), ("Revision folders", "text"),
               ("Produced by", "text"), ("Protocol", "text"), ("Date", "text"),
               ("Missing", "num"), ("Notes", "num")]
    rows = []
    for r in board.rows:
        text_cells = [", ".join(r.folders), ", ".join(r.producers), ", ".join(r.protocols),
                      present.date_text(r.date)]
        rows.append(
            f'<th scope="row"{_attrs(data_value=r.model)}>{escape(r.model)}</th>'
            f'<td class="num"{_attrs(data_value=str(r.n_parameters or ""))}>'
            f"{present.parameters_text(r.n_parameters)}</td>"
            + "".join(f"<td{_attrs(data_value=t)}>{escape(t)}</td>" for t in text_cells)
            + f'<td class="num"{_attrs(data_value=str(len(r.missing)))}>{len(r.missing)}</td>'
            + _notes_cell(r))
    return _table("table-models", _head(columns), rows)


def plots_panel(plots: list[tuple[str, str]]) -> str:
    if not plots:
        return "<p>No plots were written (run without --no-plots).</p>"
    return '<div class="plots">' + "".join(
        f"<h3>{escape(title)}</h3><img{_attrs(src=path, alt=title)}>" for path, title in plots) + "</div>"


def _header(board: Leaderboard, generated: str) -> str:
    n_tasks = sum(map(len, board.types.values()))
    strict = " Strict: deviating results count as missing." if board.strict else ""
    return (
        f"<header><h1>{escape(board.benchmark)} leaderboard</h1>"
        f"<p>{escape(board.description)}</p>"
        f'<p class="meta">Protocol {escape(board.protocol)} · {len(board.rows)} models · '
        f"{n_tasks} tasks · {escape(generated)}</p>"
        f'<p class="legend">{escape(present.ROUNDING_NOTE)}{escape(strict)} '
        f'<span class="deviates">{present.DEVIATION_MARK}</span> the source differs from the '
        f"benchmark's convention (hover for why) · "
        f'<span class="missing">{present.MISSING_TEXT}</span> missing (hover for why) · '
        f"click a column header to sort.</p></header>"
    )


def html_text(board: Leaderboard, *, plots: list[tuple[str, str]], generated: str) -> str:
    """The page. `plots`: (relative path, title) of each PNG; `generated`: a provenance line."""
    tabs = [("overview", "Overview", overview_panel(board))]
    tabs += [(t, f"{t} ({len(m)})", type_panel(board, t)) for t, m in board.types.items()]
    tabs += [("models", "Models", models_panel(board)), ("plots", "Plots", plots_panel(plots))]
    buttons = "".join(f'<button type="button" role="tab"{_attrs(data_tab=key)}>{escape(label)}</button>'
                      for key, label, _ in tabs)
    panels = "".join(f'<section class="panel" role="tabpanel"{_attrs(id=f"tab-{key}")}>{body}</section>'
                     for key, _, body in tabs)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(board.benchmark)} leaderboard</title>"
        f"<style>{_asset('leaderboard.css')}</style></head><body>"
        f'{_header(board, generated)}<nav class="tabs" role="tablist">{buttons}</nav>{panels}'
        f"<script>{_asset('leaderboard.js')}</script></body></html>\n"
    )
