"""Match one task's two results: what is compared (metric, splits, protocol) and whether the pair
may be compared at all.

Policy:
- Protocol: `--benchmark`'s protocol when given, else the baseline's recorded one (None for a
  plain mteb file). The main metric and splits are that protocol's from the task definition
  (narrowed by the benchmark); for a task cmteb does not know, the files' own main score over
  every split the baseline has. A metric stored under `protocol_variants` is taken from there.
- Refused unless `--allow-mismatch` (`Match.mismatches`): recorded protocol, data
  (`dataset_revision`: hub commit or local fingerprint), task version, or a compared split
  present on one side only.
- Always refused (`Match.fatal`): quick against full results, or different quick policies;
  no split or no main-score value on both sides; a compared value that is not a finite number
  (NaN, infinite, null: plain mteb files store NaN for undefined metrics).
- A recorded protocol cmteb does not know was refused when the file was read
  (`cmteb.results.task_result.check_readable`).
- Model settings, text policy and library versions may differ (that is what a comparison is
  for); `setting_differences` lists them for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from cmteb.compare.resultset import TaskFile
from cmteb.errors import UserError
from cmteb.results.task_result import decisive, describe_value, is_finite_number
from cmteb.tasks.registry import BenchmarkSpec, TaskRegistry

SETTING_KEYS = ("model", "text_policy", "model_settings", "search", "libraries", "cmteb_version")


@dataclass(frozen=True)
class TaskPlan:
    task: str
    type: str
    metric: str | None  # None: the files' `main_score`
    splits: tuple[str, ...]
    protocol: str | None
    samples_usable: bool  # the samples were scored under `protocol`'s procedure


@dataclass
class Match:
    plan: TaskPlan
    mismatches: list[str] = field(default_factory=list)
    fatal: list[str] = field(default_factory=list)


def _spec(registry: TaskRegistry, task: str):
    try:
        return registry.get(task)
    except UserError:
        return None


def match_task(
    base: TaskFile, cand: TaskFile, bench: BenchmarkSpec | None, registry: TaskRegistry
) -> Match:
    """The plan for one task plus every reason not to compare it (module docstring)."""
    wanted = plan_task(base, bench, registry)
    match = Match(wanted)
    _check_recorded(match, base, cand)
    splits = _check_splits(match, base, cand, list(wanted.splits))
    variants = any("protocol_variants" in entry for f in (base, cand) for s in splits
                   for entry in f.doc["scores"][s])
    recorded = base.block.get("protocol")
    match.plan = replace(wanted, splits=tuple(splits),
                         samples_usable=wanted.protocol == recorded or not variants)
    for side in (base, cand):
        if not splits:
            continue
        problem = value_problem(side, match.plan)
        if problem:
            match.fatal.append(f"task {base.task}: {side.origin}: {problem}")
        elif main_value(side, match.plan) is None:
            match.fatal.append(f"task {base.task}: {side.origin} has no "
                               f"{wanted.metric or 'main_score'} value for split(s) {', '.join(splits)}")
    return match


def plan_task(file: TaskFile, bench: BenchmarkSpec | None, registry: TaskRegistry) -> TaskPlan:
    """What to compare for `file`'s task: type, metric and splits of the target protocol."""
    spec = _spec(registry, file.task)
    recorded = file.block.get("protocol")
    protocol = bench.protocol if bench else recorded
    if spec is not None and protocol is not None:
        metric = spec.main_metric(protocol)
        wanted = (bench.splits.get(file.task) if bench else None) or spec.eval_splits(protocol)
    else:
        metric = _text(file.block.get("main_score_metric"))
        wanted = sorted(file.doc["scores"])
    task_type = spec.type if spec else _text(file.block.get("task_type")) or "Unknown"
    return TaskPlan(file.task, task_type, metric, tuple(wanted), protocol, True)


def _check_recorded(match: Match, base: TaskFile, cand: TaskFile) -> None:
    task = base.task
    checks = (("protocol", base.block.get("protocol"), cand.block.get("protocol")),
              ("data", base.doc.get("dataset_revision"), cand.doc.get("dataset_revision")),
              ("task version", base.block.get("task_version"), cand.block.get("task_version")))
    for what, b, c in checks:
        if b != c:
            match.mismatches.append(f"task {task}: {what} differs (baseline {_short(b)}, "
                                    f"candidate {_short(c)})")
    quick_b, quick_c = bool(base.block.get("quick")), bool(cand.block.get("quick"))
    if quick_b != quick_c:
        kind = {True: "quick", False: "full"}
        match.fatal.append(f"task {task}: quick results are never compared with full ones "
                           f"(baseline {kind[quick_b]}, candidate {kind[quick_c]})")
    elif base.block.get("quick_sample") != cand.block.get("quick_sample"):
        match.fatal.append(f"task {task}: the two quick results used different quick policies")


def _check_splits(match: Match, base: TaskFile, cand: TaskFile, wanted: list[str]) -> list[str]:
    """The splits present on both sides (a one-sided split is a mismatch)."""
    have_b, have_c = set(base.doc["scores"]), set(cand.doc["scores"])
    for split in wanted:
        if split in have_b and split not in have_c:
            match.mismatches.append(f"task {base.task}: split {split} missing in the candidate")
        elif split in have_c and split not in have_b:
            match.mismatches.append(f"task {base.task}: split {split} missing in the baseline")
    common = [s for s in wanted if s in have_b and s in have_c]
    if not common:
        match.fatal.append(f"task {base.task}: no split of {', '.join(wanted)} on both sides")
    return common


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


_MISSING = object()


def _entry_values(file: TaskFile, plan: TaskPlan) -> list[tuple[str, Any]]:
    """(split, value or _MISSING) of the compared metric in every entry of `plan.splits`."""
    recorded = file.block.get("protocol")
    key = plan.metric or "main_score"
    out = []
    for split in plan.splits:
        for entry in file.doc["scores"].get(split, []):
            source = entry
            if plan.protocol and recorded and plan.protocol != recorded:
                source = {**entry, **entry.get("protocol_variants", {}).get(plan.protocol, {})}
            out.append((split, source.get(key, _MISSING)))
    return out


def value_problem(file: TaskFile, plan: TaskPlan) -> str | None:
    """'split test: cosine_spearman is NaN, ...' for a compared value that is NaN, infinite or
    null; None when every present value is a finite number or not a number at all."""
    for split, value in _entry_values(file, plan):
        if value is None or isinstance(value, int | float) and not is_finite_number(value) \
                and not isinstance(value, bool):
            return (f"split {split}: {plan.metric or 'main_score'} is {describe_value(value)}, "
                    "not a finite score")
    return None


def main_value(file: TaskFile, plan: TaskPlan) -> float | None:
    """The task's main score (0-1): mean over `plan.splits` (and their subset entries); None when
    a value is missing or not a finite number."""
    values = [value for _, value in _entry_values(file, plan)]  # _MISSING is not a number
    if not values or not all(is_finite_number(v) for v in values):
        return None
    return sum(float(v) for v in values) / len(values)


def setting_differences(base: TaskFile, cand: TaskFile) -> list[tuple[str, Any, Any]]:
    """(dotted key, baseline value, candidate value) for every recorded setting that differs."""
    out: list[tuple[str, Any, Any]] = []
    recorded = [{**side.block, **decisive(side.block)} for side in (base, cand)]  # legacy defaults
    for key in SETTING_KEYS:
        _diff(key, recorded[0].get(key), recorded[1].get(key), out)
    return out


def _diff(path: str, a: Any, b: Any, out: list[tuple[str, Any, Any]]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in dict.fromkeys([*a, *b]):
            _diff(f"{path}.{key}", a.get(key), b.get(key), out)
    elif a != b:
        out.append((path, a, b))


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 23 else text[:20] + "..."
