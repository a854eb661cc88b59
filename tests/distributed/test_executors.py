"""The executor contract of `cmteb.pipeline.run`, with a stand-in executor registered as `ray`
(no Ray needed): the run reads finished results once and hands the executor only the units still
to do; every unit comes back through the one `finish`, which writes it and maps failures."""

from __future__ import annotations

import errno
import os

import pytest

import cmteb.atomic as atomic
import cmteb.pipeline.run as pipeline_run
from cmteb.config import RunConfig, TaskSelection
from cmteb.distributed.options import RayOptions
from cmteb.errors import UserError
from cmteb.pipeline.run import run_locally
from tests.reliability.helpers import result_files

TASKS = ("DemoSTS", "DemoPairClassification", "DemoReranking")


def config(out, **changes) -> RunConfig:
    return RunConfig(models=("hash",), selection=TaskSelection(tasks=TASKS), output_dir=out,
                     show_progress=False, ray=RayOptions(), **changes)


@pytest.fixture
def executor(monkeypatch):
    """Registers a `ray` executor that records the units it gets and runs them locally (or, for
    tasks in `fail`, hands back the given exception instead of scores)."""
    calls: list[list[str]] = []
    fail: dict[str, BaseException] = {}

    def stand_in(units, plan, data, config, finish):
        calls.append([u.task.spec.name for u in units])
        ok = [u for u in units if u.task.spec.name not in fail]
        for unit in units:
            if unit.task.spec.name in fail:
                error = fail[unit.task.spec.name]

                def scores(error=error):
                    raise error

                finish(unit, scores)
        run_locally(ok, plan, data, config, finish)

    monkeypatch.setitem(pipeline_run.EXECUTORS, "ray", lambda: stand_in)
    return calls, fail


def test_finished_results_are_read_once_and_only_the_rest_is_executed(tmp_path, executor, monkeypatch):
    calls, _ = executor
    reads = []
    original = pipeline_run.finished_result
    monkeypatch.setattr(pipeline_run, "finished_result",
                        lambda planned, *a: reads.append(planned.spec.name) or original(planned, *a))
    first = pipeline_run.run(config(tmp_path))
    assert [o.status for o in first.outcomes] == ["done"] * 3 and calls == [list(TASKS)]
    assert sorted(reads) == sorted(TASKS)

    result_files(tmp_path)["DemoPairClassification"].unlink()
    reads.clear()
    again = pipeline_run.run(config(tmp_path))
    assert calls[1] == ["DemoPairClassification"] and sorted(reads) == sorted(TASKS)
    assert [(o.task, o.status) for o in again.outcomes] == [
        ("DemoSTS", "skipped"), ("DemoPairClassification", "done"), ("DemoReranking", "skipped")]

    pipeline_run.run(config(tmp_path))
    assert len(calls) == 2  # nothing left to do: the executor is not started at all


def test_a_failed_unit_is_reported_in_run_order_and_the_others_are_written(tmp_path, executor):
    _, fail = executor
    fail["DemoSTS"] = RuntimeError("worker said no\nsecond line")
    report = pipeline_run.run(config(tmp_path))
    assert [(o.task, o.status) for o in report.outcomes] == [
        ("DemoSTS", "failed"), ("DemoPairClassification", "done"), ("DemoReranking", "done")]
    assert report.failures[0].error == "task DemoSTS: RuntimeError: worker said no\nsecond line"
    assert sorted(result_files(tmp_path)) == ["DemoPairClassification", "DemoReranking"]


def test_a_user_error_from_a_unit_stops_the_run(tmp_path, executor):
    _, fail = executor
    fail["DemoSTS"] = UserError("model hash: cannot be loaded")
    with pytest.raises(UserError, match="cannot be loaded"):
        pipeline_run.run(config(tmp_path))
    assert not result_files(tmp_path)


def test_a_result_that_cannot_be_written_stops_the_executor(tmp_path, executor, monkeypatch):
    calls, _ = executor
    real_fsync, seen = os.fsync, []

    def full_on_second_task(fd):  # samples + result of the first task, then the disk is full
        seen.append(fd)
        if len(seen) > 4:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", full_on_second_task)
    report = pipeline_run.run(config(tmp_path))
    assert [(o.task, o.status) for o in report.outcomes] == [("DemoSTS", "done"),
                                                             ("DemoPairClassification", "failed")]
    assert report.stopped and "No space left on device" in report.stopped
    assert "(run stopped; rerun the same command to resume)" in report.failures[0].error
    assert sorted(result_files(tmp_path)) == ["DemoSTS"] and calls == [list(TASKS)]
