"""One rounding rule (cmteb.rounding) for the run summary, the leaderboard and compare: the same
results print the same averages everywhere, on scores where a mean of unrounded task scores would
round to another last digit (the issue's 81.05 against 81.06)."""

from __future__ import annotations

import re

from cmteb.cli import main as cli_main
from cmteb.config import TaskSelection
from cmteb.leaderboard.build import build_leaderboard
from cmteb.pipeline.plan import plan_tasks
from cmteb.pipeline.run import RunReport, TaskOutcome
from cmteb.summary import render_summary
from cmteb.tasks.registry import TaskRegistry
from tests.leaderboard.lb_files import DEMO_METRICS, cmteb_doc, write_demo_model

# 0-1 scores of the six demo tasks: rounded first they average 81.0517 -> 81.05, unrounded
# 81.0557 -> 81.06 (neither near a .xx5 boundary, so no summation order matters).
SCORES = {"DemoRetrieval": 0.81044, "DemoReranking": 0.81054, "DemoSTS": 0.81064,
          "DemoPairClassification": 0.81054, "DemoClassification": 0.81054,
          "DemoClustering": 0.81064}
POINTS = [v * 100 for v in SCORES.values()]
PUBLISHED_RULE = round(sum(round(p, 2) for p in POINTS) / len(POINTS), 2)


def test_the_scores_tell_the_two_rules_apart():
    assert PUBLISHED_RULE == 81.05 and round(sum(POINTS) / len(POINTS), 2) == 81.06


def test_summary_leaderboard_and_compare_print_the_same_average(tmp_path, capsys):
    results = tmp_path / "results"
    write_demo_model(results, "org/model", SCORES)
    write_demo_model(tmp_path / "other", "org/model", {t: 0.5 for t in SCORES})

    board = build_leaderboard([results], "demo", resamples=0)
    assert board.rows[0].overall.value == PUBLISHED_RULE

    assert cli_main(["compare", str(tmp_path / "other"), str(results)]) in (0, 1)
    report = capsys.readouterr().out
    (overall,) = [ln for ln in report.splitlines() if ln.startswith("| **overall** |")]
    assert overall.split("|")[4].strip() == f"{PUBLISHED_RULE:.2f}"

    plan = plan_tasks(TaskSelection(benchmark="demo"), "cmteb", TaskRegistry())
    outcomes = [TaskOutcome("org/model", task, t.spec.type, "done",
                            cmteb_doc(task, {DEMO_METRICS[task][0]: {DEMO_METRICS[task][1]: value}}))
                for t in plan.tasks for task, value in SCORES.items() if t.spec.name == task]
    text = render_summary(RunReport(plan=plan, outcomes=outcomes, planned=len(outcomes)))
    (average,) = [ln for ln in text.splitlines() if ln.strip().startswith("Average")]
    assert re.search(rf"\b{PUBLISHED_RULE:.2f}$", average)


def test_a_compare_task_row_shows_the_difference_of_its_shown_scores(tmp_path, capsys):
    """0.57624 -> 57.62 and 0.52436 -> 52.44: the row says -5.18 (as its one-task type row does),
    not the unrounded difference's -5.19."""
    write_demo_model(tmp_path / "base", "org/model", {"DemoSTS": 0.57624})
    write_demo_model(tmp_path / "cand", "org/model", {"DemoSTS": 0.52436})
    assert round(52.436 - 57.624, 2) == -5.19  # what the row showed before
    cli_main(["compare", str(tmp_path / "base"), str(tmp_path / "cand")])
    lines = capsys.readouterr().out.splitlines()
    (task,) = [ln for ln in lines if ln.startswith("| DemoSTS |")]
    (group,) = [ln for ln in lines if ln.startswith("| STS |")]
    assert task.split("|")[4:7] == [" 57.62 ", " 52.44 ", " -5.18 "]
    assert group.split("|")[5].strip() == "-5.18"
