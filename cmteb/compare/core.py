"""`compare_sets(baseline, candidate, options) -> Comparison`: per task, per type and overall.

Per task: baseline and candidate main scores and their difference in points (0-100), a paired
randomization test when both sides have per-sample scores (`cmteb.compare.paired`), and a
verdict: `regression` when the candidate is worse by more than `tolerance` points and the test
is significant at `alpha` (a task without a test needs only the first), `improvement`
symmetrically, else `unchanged`. Per type and overall: the mean main score over the compared
tasks of each side and its difference (overall = mean over tasks, as the published averages).

Unusable input (`CompareInputError`, exit 2): a baseline task the candidate lacks (a failed
or skipped task must not pass a CI check), with `--benchmark` any of its tasks missing on either
side, every `matching` refusal (mismatches only without `allow_mismatch`), per-sample columns
that do not line up (`samples.column_problem`), two sides' samples that do not pair although both
record the same data, and per-sample scores that do not reproduce their own result's main score.
Samples of different data (accepted with `allow_mismatch`) that do not pair: main score only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cmteb.compare.matching import Match, TaskPlan, main_value, match_task, setting_differences
from cmteb.compare.paired import PairedSamples, Recipe, paired_test
from cmteb.compare.recipes import recipe_for
from cmteb.compare.resultset import CompareInputError, ResultSet, TaskFile
from cmteb.compare.samples import NotPaired, column_problem, paired_samples, shared_keys
from cmteb.tasks.registry import TaskRegistry
from cmteb.tasks.spec import TASK_TYPES

CONSISTENCY = 1e-4  # samples must reproduce the stored main score to 0.01 points (5-dp rounding)


@dataclass(frozen=True)
class CompareOptions:
    tolerance: float = 0.5  # points
    alpha: float = 0.05
    allow_mismatch: bool = False
    benchmark: str | None = None
    resamples: int = 2_000
    seed: int = 0


@dataclass
class TaskComparison:
    task: str
    type: str
    metric: str
    splits: tuple[str, ...]
    baseline: float  # points
    candidate: float
    delta: float
    verdict: str  # "regression" | "improvement" | "unchanged"
    p_value: float | None = None
    n: int | None = None
    unit: str | None = None
    test: str | None = None  # the statistic, or None for main score only
    note: str | None = None  # why there is no test


@dataclass(frozen=True)
class GroupDelta:
    name: str
    tasks: int
    baseline: float
    candidate: float
    delta: float


@dataclass
class Comparison:
    baseline: ResultSet
    candidate: ResultSet
    options: CompareOptions
    protocol: str | None
    tasks: list[TaskComparison]
    types: list[GroupDelta]
    overall: GroupDelta | None
    settings: list[tuple[str, Any, Any]] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)  # accepted with allow_mismatch
    only_candidate: list[str] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        return sum(t.verdict == verdict for t in self.tasks)

    @property
    def exit_code(self) -> int:
        return 1 if self.count("regression") else 0


def _task_names(base: ResultSet, cand: ResultSet, options: CompareOptions,
                registry: TaskRegistry) -> tuple[list[str], list[str]]:
    """(tasks to compare, problems)."""
    if options.benchmark:
        names = registry.benchmark(options.benchmark).tasks
        problems = [f"task {n}: no result in the {side}" for n in names
                    for side, rs in (("baseline", base), ("candidate", cand)) if n not in rs.tasks]
        return [n for n in names if n in base.tasks and n in cand.tasks], problems
    problems = [f"task {n}: in the baseline but not in the candidate ({cand.origin})"
                for n in base.tasks if n not in cand.tasks]
    return [n for n in base.tasks if n in cand.tasks], problems


def compare_sets(base: ResultSet, cand: ResultSet, options: CompareOptions) -> Comparison:
    """Compare two result sets (module docstring); raises CompareInputError on unusable input."""
    registry = TaskRegistry()
    bench = registry.benchmark(options.benchmark) if options.benchmark else None
    names, problems = _task_names(base, cand, options, registry)
    matches = [match_task(base.tasks[n], cand.tasks[n], bench, registry) for n in names]
    if bench is None:  # by type (cmteb's order), then name; a benchmark keeps its own order
        matches.sort(key=lambda m: (_type_rank(m.plan.type), m.plan.task))
    mismatches = [m for match in matches for m in match.mismatches]
    problems += [p for match in matches for p in match.fatal]
    if not options.allow_mismatch:
        problems += [f"{m} (use --allow-mismatch to compare anyway)" for m in mismatches]
    if not names and not problems:
        problems.append(f"no task in common between {base.origin} and {cand.origin}")
    if problems:
        raise CompareInputError(problems)
    tasks = [_compare_task(m, base, cand, options) for m in matches]
    settings: dict[tuple[str, str, str], tuple[str, Any, Any]] = {}
    for name in names:
        for key, b, c in setting_differences(base.tasks[name], cand.tasks[name]):
            settings.setdefault((key, repr(b), repr(c)), (key, b, c))
    return Comparison(
        baseline=base, candidate=cand, options=options,
        protocol=matches[0].plan.protocol, tasks=tasks, types=_per_type(tasks),
        overall=_group("overall", tasks), settings=list(settings.values()), mismatches=mismatches,
        only_candidate=[] if bench else [n for n in cand.tasks if n not in base.tasks],
    )


def _compare_task(match: Match, base: ResultSet, cand: ResultSet,
                  options: CompareOptions) -> TaskComparison:
    plan = match.plan
    b_file, c_file = base.tasks[plan.task], cand.tasks[plan.task]
    b, c = main_value(b_file, plan), main_value(c_file, plan)
    assert b is not None and c is not None  # matching made sure (fatal otherwise)
    metric = plan.metric or b_file.block.get("main_score_metric") or "main_score"
    row = TaskComparison(plan.task, plan.type, metric, plan.splits, 100 * b, 100 * c,
                         100 * (c - b), "unchanged")
    keys = shared_keys(b_file.samples, c_file.samples, plan.splits)
    recipe = recipe_for(plan.type, metric, keys) if plan.samples_usable else None
    paired = _pair(b_file, c_file, plan, recipe) if recipe else None
    if paired is None:
        row.note = _why_untested(keys, plan.samples_usable, recipe)
    else:
        result = paired_test(paired, recipe, resamples=options.resamples, seed=options.seed)
        for side, stored, got in ((b_file, b, result.base_score), (c_file, c, result.cand_score)):
            if not abs(stored - got) <= CONSISTENCY:  # NaN (degenerate samples) fails too
                raise CompareInputError([
                    f"task {plan.task}: the per-sample scores beside {side.origin} give {metric} "
                    f"{got:.6f}, the result says {stored:.6f}; the files do not belong together"])
        row.p_value, row.n, row.unit, row.test = result.p_value, result.n, recipe.unit, recipe.description
    row.verdict = _verdict(row, options)
    return row


def _pair(b_file: TaskFile, c_file: TaskFile, plan: TaskPlan, recipe: Recipe) -> PairedSamples | None:
    """The aligned samples; CompareInputError for a malformed side, or for sides recording the
    same data whose samples do not pair; None (main score only) for different data."""
    for side in (b_file, c_file):
        problem = column_problem(side.samples, plan.splits, recipe)  # type: ignore[arg-type]
        if problem:
            raise CompareInputError([f"task {plan.task}: {side.origin}: {problem}"])
    try:
        return paired_samples(b_file.samples, c_file.samples, plan.splits, recipe)  # type: ignore[arg-type]
    except NotPaired as exc:
        if b_file.doc.get("dataset_revision") != c_file.doc.get("dataset_revision"):
            return None
        raise CompareInputError([
            f"task {plan.task}: the per-sample scores of {b_file.origin} and {c_file.origin} do "
            f"not describe the same samples ({exc}) although both record the same data"]) from None


def _why_untested(keys: set[str], samples_usable: bool, recipe: Any) -> str:
    if not samples_usable:
        return "per-sample scores are of the other protocol"
    if not keys:
        return "no per-sample scores on both sides"
    if recipe is None:
        return "no paired statistic for this metric"
    return "per-sample scores do not describe the same samples"


def _verdict(row: TaskComparison, options: CompareOptions) -> str:
    significant = row.p_value is None or row.p_value < options.alpha
    if abs(row.delta) > options.tolerance and significant:
        return "regression" if row.delta < 0 else "improvement"
    return "unchanged"


def _group(name: str, rows: list[TaskComparison]) -> GroupDelta | None:
    if not rows:
        return None
    base = sum(r.baseline for r in rows) / len(rows)
    cand = sum(r.candidate for r in rows) / len(rows)
    return GroupDelta(name, len(rows), base, cand, cand - base)


def _type_rank(task_type: str) -> int:
    return TASK_TYPES.index(task_type) if task_type in TASK_TYPES else len(TASK_TYPES)


def _per_type(rows: list[TaskComparison]) -> list[GroupDelta]:
    types = [t for t in TASK_TYPES if any(r.type == t for r in rows)]
    types += sorted({r.type for r in rows} - set(types))
    return [g for t in types if (g := _group(t, [r for r in rows if r.type == t])) is not None]
