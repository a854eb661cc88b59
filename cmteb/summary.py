"""The end-of-run summary: per model, each task's main score (with its metric), the mean of every
task type that has several tasks, the overall average, where the results are, and the time taken.

Scores are points (0-100) by the one rounding rule of `cmteb.rounding` (each task rounded to 2
decimals, means of the rounded scores), so the summary, `cmteb leaderboard` and `cmteb compare`
print the same digits for the same results. Means are over the tasks that finished; when some
did not, the line says how many of the planned tasks it covers.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from cmteb.data.quick import results_revision
from cmteb.pipeline.run import RunReport, TaskOutcome
from cmteb.results.task_result import result_path
from cmteb.rounding import table_mean, text2
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


def elapsed_text(seconds: float) -> str:
    """`8.4 s`, `3 min 05 s`, `1 h 02 min`."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _results_folder(outcomes: list[TaskOutcome], output_dir: Path | None) -> Path | None:
    """The folder a model's results were written to (from any finished task's record)."""
    if output_dir is None:
        return None
    for o in outcomes:
        block = (o.result or {}).get("cmteb") or {}
        model = block.get("model") or {}
        if model.get("name") and model.get("revision"):
            revision = results_revision(str(model["revision"]), quick=bool(block.get("quick")))
            folder = str(model["name"]).replace("/", "__")
            return result_path(output_dir, folder, revision, o.task).parent
    return None


def _model_lines(model: str, outcomes: list[TaskOutcome], protocol: str,
                 required: dict[str, list[str]], output_dir: Path | None) -> list[str]:
    folder = _results_folder(outcomes, output_dir)
    lines = [f"{model}  (protocol {protocol})" + (f"  results: {folder}" if folder else "")]
    width = max([len(o.task) for o in outcomes] + [len("Average")]) + 2
    metric_width = max(len((o.result or {}).get("cmteb", {}).get("main_score_metric") or "")
                       for o in outcomes) + 2
    per_type: dict[str, dict[str, float]] = defaultdict(dict)
    scores: dict[str, float] = {}
    type_of = {o.task: o.type for o in outcomes}
    for o in outcomes:
        if o.result is None:
            lines.append(f"  {o.task:<{width}} {o.type:<20} FAILED: {o.error}")
            continue
        metric = o.result.get("cmteb", {}).get("main_score_metric") or "main_score"
        score = task_main_score(o.result, required.get(o.task))
        note = "  (already done)" if o.status == "skipped" else ""
        points = None if score is None else 100 * score
        lines.append(f"  {o.task:<{width}} {o.type:<20} {metric:<{metric_width}} "
                     f"{text2(points, '-'):>6}{note}")
        if points is not None:
            per_type[o.type][o.task] = points
            scores[o.task] = points
    pad = 21 + metric_width
    for task_type in [t for t in TASK_TYPES if t in per_type] + sorted(set(per_type) - set(TASK_TYPES)):
        values = per_type[task_type]
        if len(values) > 1:  # a one-task "mean" repeats the task's line
            lines.append(f"  {task_type + ' mean':<{width}} {f'{len(values)} tasks':<{pad}} "
                         f"{text2(table_mean(values, type_of)):>6}")
    if len(scores) > 1:  # nor a one-task "average"
        over = f"{len(scores)} tasks" if len(scores) == len(outcomes) else \
            f"{len(scores)} of {len(outcomes)} tasks"
        lines.append(f"  {'Average':<{width}} {over:<{pad}} {text2(table_mean(scores, type_of)):>6}")
    return lines


def render_summary(report: RunReport, *, output_dir: Path | None = None,
                   elapsed: float | None = None) -> str:
    """A plain-text table per model (module doc); `output_dir` and `elapsed` (seconds) add the
    results folder and the time taken when given."""
    required = {t.spec.name: list(t.required) for t in report.plan.tasks}
    by_model: dict[str, list[TaskOutcome]] = defaultdict(list)
    for outcome in report.outcomes:
        by_model[outcome.model].append(outcome)
    lines: list[str] = []
    for model, outcomes in by_model.items():
        lines += _model_lines(model, outcomes, report.plan.protocol, required, output_dir)
    if elapsed is not None:
        lines.append(f"elapsed {elapsed_text(elapsed)} ({len(report.outcomes)} of "
                     f"{report.planned} task(s))")
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
