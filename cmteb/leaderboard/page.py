"""`Leaderboard` -> one static `index.html` that works offline from the file system.

The tables are rendered here (readable without JavaScript); the inlined script (`assets/`) only
switches tabs, sorts columns and filters rows by model name. Tabs: Overview (ranks, Avg, the
published Avg, one column per type, Missing), one per task type (its mean first, then its
tasks), Models (facts with their sources on hover, revision folders, producers, protocol, date,
notes), Speed and Plots. The best score of each score column is highlighted; a missing cell is
hatched and says why on hover; a deviating score carries the mark and its reason on hover; a
score's 95% interval shows on hover. Every text is HTML-escaped; only http(s) links become links.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from importlib import resources

from cmteb.leaderboard import present
from cmteb.leaderboard.records import Average, Interval, Leaderboard, ModelRow, SpeedRow, TaskScore
from cmteb.leaderboard.tables import FACT_COLUMNS
from cmteb.models.hub import short_revision

_WEB_LINK = re.compile(r"https?://\S+")


def _asset(name: str) -> str:
    return resources.files("cmteb.leaderboard").joinpath("assets", name).read_text(encoding="utf-8")


def _attrs(**attrs: str | None) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"'
                   for k, v in attrs.items() if v is not None)


@dataclass(frozen=True)
class Cell:
    """One table cell: `html` (a whole <td>/<th>) and the number that competes for best."""

    html: str
    best_value: float | None = None


@dataclass(frozen=True)
class Column:
    label: str
    kind: str  # how the script sorts it: "num" (highest first), "rank" (lowest first), "text"
    cell: Callable[[ModelRow], Cell]
    best: bool = False  # highlight the highest value


def _interval_title(interval: Interval | None) -> str | None:
    return None if interval is None else f"95% CI {present.interval_text(interval)}"


def _num_cell(value: float | None, *, why_missing: str, deviations: Sequence[str],
              interval: Interval | None = None, extra: str = "") -> Cell:
    if value is None:
        html = (f'<td{_attrs(class_=f"num missing {extra}".strip(), data_value="", title=why_missing)}>'
                f"{present.MISSING_TEXT}</td>")
        return Cell(html)
    classes = f"num {'deviates ' if deviations else ''}{extra}".strip()
    mark = f'<span class="mark">{present.DEVIATION_MARK}</span>' if deviations else ""
    title = "; ".join([t for t in [_interval_title(interval), *deviations] if t]) or None
    html = (f"<td{_attrs(class_=classes, data_value=f'{value:.2f}', title=title)}>"
            f"{present.score_text(value)}{mark}</td>")
    return Cell(html, value)


def task_cell(score: TaskScore) -> Cell:
    return _num_cell(score.value, why_missing=f"missing: {score.missing}",
                     deviations=list(score.deviations), interval=score.interval)


def average_cell(avg: Average, extra: str = "avg") -> Cell:
    why = "missing: " + ", ".join(avg.missing)
    devs = [f"includes deviating {', '.join(avg.marked)}"] if avg.marked else []
    return _num_cell(avg.value, why_missing=why, deviations=devs, interval=avg.interval, extra=extra)


def _text_cell(text: str, *, title: str | None = None) -> Cell:
    return Cell(f"<td{_attrs(data_value=text, title=title)}>{escape(text)}</td>")


def _plain_num(value: float | None, text: str, *, title: str | None = None) -> Cell:
    return Cell(f'<td class="num"{_attrs(data_value="" if value is None else repr(value), title=title)}>'
                f"{escape(text)}</td>")


def _model_th(row: ModelRow, colors: dict[str, str], *, folders: bool = True) -> Cell:
    short = ", ".join(short_revision(f) for f in row.folders)
    swatch = f'<span class="swatch"{_attrs(style=f"background:{colors[row.model]}")}></span>'
    sub = (f'<span class="sub"{_attrs(title=", ".join(row.folders))}>{escape(short)}</span>'
           if folders else "")
    return Cell(f'<th scope="row"{_attrs(data_value=row.model)}>{swatch}{escape(row.model)}{sub}</th>')


def _rank_cell(row: ModelRow) -> Cell:
    ranking = row.ranking
    title = None
    if ranking is not None and ranking.partial and ranking.mean is not None:
        title = f"ranked on {ranking.tasks} of {ranking.of} tasks"
    rank = ranking.rank if ranking else None
    return _plain_num(rank, present.rank_text(ranking), title=title)


def _ranked_on_cell(row: ModelRow) -> Cell:
    ranking = row.ranking
    mean = ranking.mean if ranking else None
    if mean is None:
        return _num_cell(None, why_missing="no task score", deviations=[])
    title = "; ".join(t for t in [_interval_title(ranking.interval),
                                  f"mean over {ranking.tasks} of {ranking.of} tasks"] if t)
    return Cell(f'<td class="num"{_attrs(data_value=f"{mean:.2f}", title=title)}>'
                f"{escape(present.ranked_on_text(ranking))}</td>", mean)


def _published_cell(row: ModelRow) -> Cell:
    pub = row.published
    if pub is None:
        return _plain_num(None, "")
    title = f"{pub.tasks}; {pub.rule}"
    return _plain_num(pub.value, present.score_text(pub.value), title=title)


def _missing_cell(row: ModelRow) -> Cell:
    missing = row.overall.missing
    title = "; ".join(f"{t}: {row.tasks[t].missing}" for t in missing) or None
    return Cell(f'<td class="missing-list"{_attrs(data_value=str(len(missing)), title=title)}>'
                f"{escape(present.missing_text(row.overall))}</td>")


def _fact_cell(row: ModelRow, key: str) -> Cell:
    fact = getattr(row.facts, key)
    if fact is None:
        return _plain_num(None, "") if key != "link" and key != "access" else _text_cell("")
    title = f"source: {fact.source}"
    if key == "link":
        url = str(fact.value)
        if _WEB_LINK.fullmatch(url):
            return Cell(f"<td{_attrs(data_value=url, title=title)}>"
                        f'<a{_attrs(href=url, rel="noopener noreferrer")}>link</a></td>')
        return _text_cell(url, title=title)
    if key == "access":
        return _text_cell(str(fact.value), title=title)
    return _plain_num(float(fact.value), present.fact_text(key, fact), title=title)


def _table(table_id: str, columns: Sequence[Column], rows: Sequence[ModelRow],
           colors: dict[str, str], sorted_by: tuple[int, str] | None = None) -> str:
    """A sortable table; `sorted_by`: (column, "ascending"|"descending") the rows come in."""
    cells = [[col.cell(row) for col in columns] for row in rows]
    best = {i: max(c[i].best_value for c in cells if c[i].best_value is not None)
            for i, col in enumerate(columns)
            if col.best and any(c[i].best_value is not None for c in cells)}
    order = {sorted_by[0]: sorted_by[1]} if sorted_by else {}
    head = "".join(f"<th{_attrs(data_type=col.kind, aria_sort=order.get(i))}>{escape(col.label)}</th>"
                   for i, col in enumerate(columns))
    body = []
    for row, row_cells in zip(rows, cells, strict=True):
        html = "".join(
            cell.html.replace(' class="num', ' class="best num', 1)
            if i in best and cell.best_value == best[i] else cell.html
            for i, cell in enumerate(row_cells))
        body.append(f"<tr{_attrs(data_model=row.model)}>{html}</tr>")
    return (f'<table class="sortable"{_attrs(id=table_id)}><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def overview_panel(board: Leaderboard, colors: dict[str, str]) -> str:
    columns = [
        Column("Rank", "rank", _rank_cell),
        Column("Model", "text", lambda r: _model_th(r, colors)),
        Column("Avg", "num", lambda r: average_cell(r.overall), best=True),
        Column("Published avg", "num", _published_cell),
        Column("Ranked on", "num", _ranked_on_cell, best=True),
        Column("Borda", "rank", lambda r: _plain_num(
            r.ranking.borda if r.ranking else None, str(r.ranking.borda if r.ranking else ""),
            title=f"{r.ranking.borda_points:g} Borda points" if r.ranking else None)),
        *(Column(t, "num", lambda r, t=t: average_cell(r.types[t], extra=""), best=True)
          for t in board.types),
        Column("Missing", "num", _missing_cell),
        Column("Parameters", "num", lambda r: _fact_cell(r, "parameters")),
    ]
    return _table("table-overview", columns, board.rows, colors, sorted_by=(0, "ascending"))


def type_panel(board: Leaderboard, task_type: str, colors: dict[str, str]) -> str:
    names = present.labels(board)
    columns = [
        Column("Model", "text", lambda r: _model_th(r, colors)),
        Column(f"{task_type} avg", "num", lambda r: average_cell(r.types[task_type]), best=True),
        *(Column(names[t], "num", lambda r, t=t: task_cell(r.tasks[t]), best=True)
          for t in board.types[task_type]),
    ]
    return _table(f"table-{task_type}", columns, board.rows, colors)


def _notes_cell(row: ModelRow) -> Cell:
    """Published rule, missing and marked tasks with their reasons, folded under a summary."""
    missing = [f"missing {t}: {row.tasks[t].missing}" for t in row.overall.missing]
    marked = [f"{present.DEVIATION_MARK} {line}" for line in present.deviation_lines(row)]
    published = ([f"published avg {present.score_text(row.published.value)} "
                  f"({row.published.tasks}): {row.published.rule}"] if row.published else [])
    items = "".join(f"<li>{escape(i)}</li>" for i in published + missing + marked)
    summary = f"{len(missing)} missing, {len(marked)} marked"
    body = f"<details><summary>{summary}</summary><ul>{items}</ul></details>" if items else ""
    return Cell(f'<td class="notes"{_attrs(data_value=str(len(missing) + len(marked)))}>{body}</td>')


def models_panel(board: Leaderboard, colors: dict[str, str]) -> str:
    columns = [
        Column("Model", "text", lambda r: _model_th(r, colors, folders=False)),
        *(Column(label, "text" if key in ("link", "access") else "num",
                 lambda r, key=key: _fact_cell(r, key)) for key, label in FACT_COLUMNS.items()),
        Column("Revision folders", "text", lambda r: _text_cell(", ".join(r.folders))),
        Column("Produced by", "text", lambda r: _text_cell(", ".join(r.producers))),
        Column("Protocol", "text", lambda r: _text_cell(", ".join(r.protocols))),
        Column("Date", "text", lambda r: _text_cell(present.date_text(r.date))),
        Column("Notes", "num", _notes_cell),
    ]
    return _table("table-models", columns, board.rows, colors)


def _speed_row(speed: SpeedRow, colors: dict[str, str]) -> str:
    swatch = f'<span class="swatch"{_attrs(style=f"background:{colors[speed.model]}")}></span>'
    cells = [
        _text_cell(speed.hardware).html, _text_cell(speed.dtype).html,
        f'<th scope="row"{_attrs(data_value=speed.model)}>{swatch}{escape(speed.model)}</th>',
        _plain_num(speed.tasks, str(speed.tasks)).html,
        _plain_num(speed.texts_per_s, "" if speed.texts_per_s is None
                   else f"{speed.texts_per_s:,.1f}").html,
        _plain_num(speed.s_per_task, f"{speed.s_per_task:,.1f}").html,
        _plain_num(speed.score, present.score_text(speed.score)).html,
    ]
    return f"<tr{_attrs(data_model=speed.model)}>{''.join(cells)}</tr>"


def speed_panel(board: Leaderboard, colors: dict[str, str], plot: tuple[str, str] | None) -> str:
    if not board.speed:
        return "<p>No result records timings.</p>"
    head = "".join(f"<th{_attrs(data_type=kind)}>{label}</th>" for label, kind in [
        ("Hardware", "text"), ("dtype", "text"), ("Model", "text"), ("Tasks", "num"),
        ("Texts/s", "num"), ("s per task", "num"), ("Ranked on", "num")])
    rows = "".join(_speed_row(s, colors) for s in board.speed)
    image = "" if plot is None else f"<img{_attrs(src=plot[0], alt=plot[1])}>"
    return (f"<p>Recorded timings; rows of different hardware or dtype are never combined. "
            f"Texts/s counts the texts a model encoded (cache hits excluded).</p>"
            f'<table class="sortable" id="table-speed"><thead><tr>{head}</tr></thead>'
            f'<tbody>{rows}</tbody></table><div class="plots">{image}</div>')


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
        f'<span class="best">best</span> highest in its column · '
        f"click a column header to sort.</p>"
        f'<p class="legend">{escape(present.RANK_NOTE)} {escape(present.interval_note(board))} '
        f"{escape(present.PUBLISHED_NOTE)}</p></header>"
    )


def html_text(board: Leaderboard, *, plots: list[tuple[str, str]], generated: str,
              speed_plot: tuple[str, str] | None = None) -> str:
    """The page. `plots`: (relative path, title) of each PNG (`speed_plot` shows on the Speed
    tab); `generated`: a provenance line."""
    colors = present.model_colors(board)
    tabs = [("overview", "Overview", overview_panel(board, colors))]
    tabs += [(t, f"{t} ({len(m)})", type_panel(board, t, colors)) for t, m in board.types.items()]
    tabs += [("models", "Models", models_panel(board, colors)),
             ("speed", "Speed", speed_panel(board, colors, speed_plot)),
             ("plots", "Plots", plots_panel(plots))]
    buttons = "".join(f'<button type="button" role="tab"{_attrs(data_tab=key)}>{escape(label)}</button>'
                      for key, label, _ in tabs)
    panels = "".join(f'<section class="panel" role="tabpanel"{_attrs(id=f"tab-{key}")}>{body}</section>'
                     for key, _, body in tabs)
    search = ('<label class="filter">Filter models <input type="search" id="model-filter" '
              'placeholder="name contains…" autocomplete="off"></label>')
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(board.benchmark)} leaderboard</title>"
        f"<style>{_asset('leaderboard.css')}</style></head><body>"
        f'{_header(board, generated)}{search}<nav class="tabs" role="tablist">{buttons}</nav>{panels}'
        f"<script>{_asset('leaderboard.js')}</script></body></html>\n"
    )
