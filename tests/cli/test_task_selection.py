"""Task selection: --task-types narrows a benchmark; typos in it are reported as typos; an
explicit list (--tasks / --task-file) goes with nothing else."""

from __future__ import annotations

import pytest

from cmteb.config import TaskSelection
from cmteb.errors import UserError
from cmteb.selection import plan_tasks
from cmteb.tasks.registry import TaskRegistry


def _plan(**selection):
    return plan_tasks(TaskSelection(**selection), None, TaskRegistry())


def test_task_types_narrow_the_benchmark_in_its_order_and_protocol():
    plan = _plan(benchmark="MTEB(cmn, v1)", task_types=("sts", "PAIRCLASSIFICATION"))
    bench = TaskRegistry().benchmark("MTEB(cmn, v1)")
    expected = [n for n in bench.tasks
                if TaskRegistry().get(n).type in {"STS", "PairClassification"}]
    assert [t.spec.name for t in plan.tasks] == expected and len(expected) == 9
    assert plan.protocol == "mteb" and plan.benchmark == "MTEB(cmn, v1)"
    atec = next(t for t in plan.tasks if t.spec.name == "ATEC")
    assert atec.required == ("test",)  # the benchmark's split narrowing still applies


def test_task_types_alone_narrow_c_mteb():
    plan = _plan(task_types=("Retrieval",))
    assert len(plan.tasks) == 8 and {t.spec.type for t in plan.tasks} == {"Retrieval"}
    assert plan.protocol == "cmteb"


@pytest.mark.parametrize("selection", [
    {"task_types": ("Retreival",)},
    {"task_types": ("STS", "Retreival"), "tasks": ("STSB",)},
    {"task_types": ("Retreival",), "benchmark": "demo"},
    {"task_types": ("Retreival",), "task_files": ("x.yaml",)},
])
def test_a_typo_in_task_types_is_reported_as_such(selection):
    with pytest.raises(UserError, match=r"unknown task type 'Retreival' \(did you mean: Retrieval\?\); "
                                        r"task types: Retrieval, Reranking"):
        _plan(**selection)


@pytest.mark.parametrize("selection", [
    {"tasks": ("STSB",), "benchmark": "demo"},
    {"tasks": ("STSB",), "task_types": ("STS",)},
    {"task_files": ("x.yaml",), "benchmark": "demo"},
])
def test_an_explicit_task_list_goes_with_nothing_else(selection):
    with pytest.raises(UserError, match="choose tasks one way"):
        _plan(**selection)


def test_tasks_and_task_files_combine(tmp_path):
    plan = _plan(tasks=("DemoSTS",), task_files=(TaskRegistry().origin("DemoClustering"),))
    assert [t.spec.name for t in plan.tasks] == ["DemoSTS", "DemoClustering"]

