"""The end-of-run summary: metric per task, means only over several tasks, the overall average,
the results folder and the elapsed time."""

from __future__ import annotations

from pathlib import Path

from cmteb.config import TaskSelection
from cmteb.pipeline.plan import plan_tasks
from cmteb.pipeline.run import RunReport, TaskOutcome
from cmteb.summary import elapsed_text, render_summary
from cmteb.tasks.registry import TaskRegistry
from tests.leaderboard.lb_files import DEMO_METRICS, cmteb_doc

SCORES = {"DemoSTS": 0.25, "DemoRetrieval": 0.5, "DemoClassification": 0.75}


def doc(task: str, value: float, **block) -> dict:
    split, metric = DEMO_METRICS[task]
    result = cmteb_doc(task, {split: {metric: value}}, model="org/m", **block)
    result["cmteb"]["main_score_metric"] = metric
    return result


def report(outcomes: list[TaskOutcome]) -> RunReport:
    plan = plan_tasks(TaskSelection(benchmark="demo"), "cmteb", TaskRegistry())
    return RunReport(plan=plan, outcomes=outcomes, planned=len(plan.tasks))


def test_summary_names_metrics_averages_path_and_time():
    outcomes = [TaskOutcome("org/m", t, "STS" if t == "DemoSTS" else "x", "done", doc(t, v))
                for t, v in SCORES.items()]
    outcomes[1].type, outcomes[2].type = "Retrieval", "Classification"
    outcomes.append(TaskOutcome("org/m", "DemoClustering", "Clustering", "failed", error="boom"))
    text = render_summary(report(outcomes), output_dir=Path("out"), elapsed=125.0)
    lines = text.splitlines()
    assert lines[0] == "org/m  (protocol cmteb)  results: out/org__m/rev"
    sts = next(ln for ln in lines if ln.strip().startswith("DemoSTS"))
    assert "cosine_spearman" in sts and sts.endswith("25.00")
    assert "FAILED: boom" in text
    assert not [ln for ln in lines if " mean " in ln or ln.strip().startswith("mean")]
    average = next(ln for ln in lines if ln.strip().startswith("Average"))
    assert "3 of 4 tasks" in average
    points = [round(100 * v, 2) for v in SCORES.values()]
    assert average.endswith(f"{round(sum(points) / len(points), 2):.2f}")
    assert lines[-1] == "elapsed 2 min 05 s (4 of 6 task(s))"


def test_a_type_with_several_tasks_gets_its_mean_and_quick_results_their_folder():
    atec = cmteb_doc("ATEC", {"test": {"cosine_spearman": 0.4}}, model="org/m", quick=True)
    atec["cmteb"]["main_score_metric"] = "cosine_spearman"
    outcomes = [TaskOutcome("org/m", "DemoSTS", "STS", "skipped", doc("DemoSTS", 0.3, quick=True)),
                TaskOutcome("org/m", "ATEC", "STS", "done", atec)]
    text = render_summary(report(outcomes), output_dir=Path("out"))
    assert "results: out/org__m/rev-quick" in text and "(already done)" in text
    sts_mean = next(ln for ln in text.splitlines() if ln.strip().startswith("STS mean"))
    assert "2 tasks" in sts_mean and sts_mean.endswith("35.00")
    assert "elapsed" not in text


def test_elapsed_text():
    assert [elapsed_text(s) for s in (8.44, 60, 3599.4, 3725)] == \
        ["8.4 s", "1 min 00 s", "59 min 59 s", "1 h 02 min"]


def test_one_task_gets_no_average_line():
    outcomes = [TaskOutcome("org/m", "DemoSTS", "STS", "done", doc("DemoSTS", 0.3)),
                TaskOutcome("org/m", "DemoRetrieval", "Retrieval", "failed", error="boom")]
    lines = render_summary(report(outcomes)).splitlines()
    assert not [ln for ln in lines if ln.strip().startswith(("Average", "STS mean"))]
    assert any(ln.strip().startswith("DemoSTS") and ln.endswith("30.00") for ln in lines)
