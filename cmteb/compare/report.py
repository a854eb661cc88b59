"""Render a `Comparison`: a Markdown report (GitHub-flavoured tables) or one JSON document.

Scores and deltas are in points (0-100), 2 decimals in Markdown, unrounded in JSON. Every name
and value read from the result files (tasks, types, metrics, models, folders, settings) goes
through `cmteb.textsafe`, so the report renders them as plain text: the CI recipe posts it
as a pull-request comment. Markdown means follow `cmteb.rounding` (the rule of the run summary
and the leaderboard).
"""

from __future__ import annotations

from typing import Any

from cmteb.compare.core import Comparison, GroupDelta, TaskComparison
from cmteb.compare.resultset import ResultSet
from cmteb.rounding import round2, table_mean
from cmteb.textsafe import md_code, md_text

VERDICT_MD = {"regression": "**regression**", "improvement": "improvement", "unchanged": "unchanged"}


def _headline(cmp: Comparison) -> str:
    parts = [f"{cmp.count(v)} {v}{'' if cmp.count(v) == 1 else 's'}"
             for v in ("regression", "improvement")]
    return f"{', '.join(parts)}, {cmp.count('unchanged')} unchanged"


def _side(rs: ResultSet) -> str:
    model = md_text(rs.model) if rs.model else "(model not recorded)"
    return f"{model} @ {md_text(rs.revision)}" if rs.revision else model


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _task_row(row: TaskComparison, marks: dict[str, int]) -> str:
    if row.n is not None:
        samples = f"{row.n:,} {row.unit}"
    else:
        samples = f"main score only [{marks.setdefault(row.note or '', len(marks) + 1)}]"
    return (f"| {md_text(row.task)} | {md_text(row.type)} | {md_code(row.metric, in_table=True)} "
            f"| {row.baseline:.2f} | {row.candidate:.2f} | {_shown_delta(row):+.2f} | {_p(row.p_value)} "
            f"| {samples} | {VERDICT_MD[row.verdict]} |")


def _shown_delta(row: TaskComparison) -> float:
    """The difference of the two scores as shown (each rounded to 2 decimals, `cmteb.rounding`),
    so a task row and its one-task type row agree; the verdict uses the unrounded delta."""
    return round2(round2(row.candidate) - round2(row.baseline))


def _group_row(group: GroupDelta, rows: list[TaskComparison], bold: bool = False) -> str:
    name = f"**{md_text(group.name)}**" if bold else md_text(group.name)
    types = {r.task: r.type for r in rows}  # cmteb.rounding: the summary's and leaderboard's rule
    base, cand = (table_mean({r.task: getattr(r, side) for r in rows}, types)
                  for side in ("baseline", "candidate"))
    return f"| {name} | {group.tasks} | {base:.2f} | {cand:.2f} | {cand - base:+.2f} |"


def _value(v: Any) -> str:
    return "(none)" if v is None else md_code(v, in_table=False)


def render_markdown(cmp: Comparison) -> str:
    """The report: headline, sides, settings that differ, per-task table, per-type table, notes."""
    opts = cmp.options
    lines = [f"## cmteb compare: {_headline(cmp)}", "",
             "| | Baseline | Candidate |", "|:--|:--|:--|",
             f"| Results | {md_code(cmp.baseline.origin, in_table=True)} "
             f"| {md_code(cmp.candidate.origin, in_table=True)} |",
             f"| Model | {_side(cmp.baseline)} | {_side(cmp.candidate)} |", "",
             f"Protocol {md_code(cmp.protocol or 'not recorded', in_table=False)} · "
             f"tolerance {opts.tolerance:g} points · "
             f"alpha {opts.alpha:g} · paired randomization test (scipy.stats.permutation_test, "
             f"{opts.resamples:,} resamples, seed {opts.seed}, two-sided) · "
             "regression = worse by more than the tolerance and significant", ""]
    if cmp.settings:
        lines += ["Settings that differ:", ""]
        lines += [f"- {md_code(key, in_table=False)}: {_value(b)} → {_value(c)}"
                  for key, b, c in cmp.settings]
        lines.append("")
    marks: dict[str, int] = {}
    lines += ["| Task | Type | Metric | Baseline | Candidate | Δ | p-value | Samples | Verdict |",
              "|:--|:--|:--|--:|--:|--:|--:|--:|:--|"]
    lines += [_task_row(row, marks) for row in cmp.tasks]
    lines += ["", "| Type | Tasks | Baseline | Candidate | Δ |", "|:--|--:|--:|--:|--:|"]
    lines += [_group_row(g, [r for r in cmp.tasks if r.type == g.name]) for g in cmp.types]
    if cmp.overall:
        lines.append(_group_row(cmp.overall, cmp.tasks, bold=True))
    notes = [f"[{i}] {md_text(note)}." for note, i in marks.items()]
    notes += [f"Accepted with --allow-mismatch: {md_text(m)}." for m in cmp.mismatches]
    if cmp.only_candidate:
        notes.append("Only in the candidate (not compared): "
                      f"{', '.join(md_text(t) for t in cmp.only_candidate)}.")
    if notes:
        lines += [""] + [f"{note}  " for note in notes]
    return "\n".join(lines)


def to_json(cmp: Comparison) -> dict[str, Any]:
    """The comparison as one JSON-serialisable document (exit code included)."""
    def side(rs: ResultSet) -> dict[str, Any]:
        return {"origin": rs.origin, "model": rs.model, "revision": rs.revision}

    def group(g: GroupDelta) -> dict[str, Any]:
        return {"name": g.name, "tasks": g.tasks, "baseline": g.baseline,
                "candidate": g.candidate, "delta": g.delta}

    return {
        "baseline": side(cmp.baseline), "candidate": side(cmp.candidate),
        "protocol": cmp.protocol,
        "options": {"tolerance": cmp.options.tolerance, "alpha": cmp.options.alpha,
                    "resamples": cmp.options.resamples, "seed": cmp.options.seed,
                    "benchmark": cmp.options.benchmark,
                    "allow_mismatch": cmp.options.allow_mismatch},
        "summary": {v: cmp.count(v) for v in ("regression", "improvement", "unchanged")},
        "exit_code": cmp.exit_code,
        "tasks": [{**vars(row), "splits": list(row.splits)} for row in cmp.tasks],
        "types": [group(g) for g in cmp.types],
        "overall": group(cmp.overall) if cmp.overall else None,
        "settings_differ": [{"key": k, "baseline": b, "candidate": c} for k, b, c in cmp.settings],
        "accepted_mismatches": cmp.mismatches,
        "only_candidate": cmp.only_candidate,
    }
