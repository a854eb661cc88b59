"""The end-of-run summary: main score per task and mean per type, in points (0-100)."""

from __future__ import annotations

from collections import defaultdict

from cmteb.pipeline.run import RunReport
from cmteb.tasks.spec import TASK_TYPES


def task_main_score(doc: dict, splits: list[str] | None = None) -> float | None:
    """Mean of `main_score` over the result's split entries (optionally only `splits`), 0-1."""
    values = [
        entry["main_score"]
        for split, entries in doc["scores"].items()
        if splits is None or split in splits
        for entry in entries
        if entry.get("main_score") is not None
    ]
    return sum(values) / len(values) if values else None


def render_summary(report: RunReport) -> str:
    """A plain-text table per model: every task, then the mean of each type (over finished tasks)."""
    required = {t.spec.name: list(t.required) for t in report.plan.tasks}
    lines: list[str] = []
    by_model: dict[str, list] = defaultdict(list)
    for outcome in report.outcomes:
        by_model[outcome.model].append(outcome)
    for model, outcomes in by_model.items():
        lines.append(f"{model}  (protocol {report.plan.protocol})")
        per_type: dict[str, list[float]] = defaultdict(list)
        width = max(len(o.task) for o in outcomes) + 2
        for o in outcomes:
            if o.result is None:
                lines.append(f"  {o.task:<{width}} {o.type:<20} FAILED: {o.error}")
                continue
            score = task_main_score(o.result, required.get(o.task))
            shown = "-" if score is None else f"{100 * score:6.2f}"
            note = "  (already done)" if o.status == "skipped" else ""
            lines.append(f"  {o.task:<{width}} {o.type:<20} {shown}{note}")
            if score is not None:
                per_type[o.type].append(100 * score)
        for task_type in TASK_TYPES:
            if per_type.get(task_type):
                vals = per_type[task_type]
                lines.append(f"  {'mean ' + task_type:<{width}} {len(vals):>2} tasks{'':<12} "
                             f"{sum(vals) / len(vals):6.2f}")
    return "\n".join(lines)


def interrupted_line(report: RunReport) -> str:
    """One line saying what an interrupted run finished, e.g. for Ctrl-C.

    'interrupted during hash / DemoSTS: 2 of 6 task(s) finished (1 already done), 0 failed;
    rerun the same command to resume'
    """
    finished = sum(o.status != "failed" for o in report.outcomes)
    skipped = sum(o.status == "skipped" for o in report.outcomes)
    failed = len(report.failures)
    during = f" during {report.running}" if report.running else ""
    already = f" ({skipped} already done)" if skipped else ""
    return (f"interrupted{during}: {finished} of {report.planned} task(s) finished{already}, "
            f"{failed} failed; rerun the same command to resume")
