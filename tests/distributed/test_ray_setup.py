"""Ray set-up decisions that need no Ray instance: progress lines, worker resources, missing Ray."""

from __future__ import annotations

import io
import sys

import pytest

from cmteb.distributed.options import RayOptions
from cmteb.distributed.progress import ClusterProgress
from cmteb.distributed.ray_executor import import_ray, worker_resources
from cmteb.errors import UserError


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_counts_units_jobs_and_texts_per_second_across_workers():
    clock, out = Clock(), io.StringIO()
    progress = ClusterProgress(3, 5, 2, stream=out, clock=clock, every=10)
    clock.now = 104
    progress.job_done(400)  # within 10 s of the last line: quiet
    assert out.getvalue() == ""
    clock.now = 110
    progress.job_done(600, unit_follows=True)
    progress.unit_done(failed=False)
    clock.now = 120
    progress.unit_done(failed=True)  # a failed job counts no texts
    assert out.getvalue().splitlines() == [
        "cmteb: ray: 1/3 units done (2/5 jobs), 1,000 texts, 100 texts/s across 2 workers, 10s",
        "cmteb: ray: 2/3 units done, 1 failed (2/5 jobs), 1,000 texts, 50 texts/s across 2 workers, 20s",
    ]


class FakeRay:
    def __init__(self, **resources: float) -> None:
        self.resources = resources

    def cluster_resources(self) -> dict[str, float]:
        return self.resources


def test_cpu_workers_default_to_one_per_cpu_slot_and_never_exceed_the_jobs():
    ray = FakeRay(CPU=8.0)
    assert worker_resources(ray, RayOptions(), "cpu", jobs=100)[0] == 8
    assert worker_resources(ray, RayOptions(cpus_per_worker=4), "cpu", jobs=100)[0] == 2
    workers, actor = worker_resources(ray, RayOptions(workers=3), "cpu", jobs=2)
    assert workers == 2
    assert actor == {"num_cpus": 1, "max_restarts": 3, "max_task_retries": 3}


def test_gpu_workers_take_one_gpu_each():
    workers, actor = worker_resources(FakeRay(CPU=16.0, GPU=4.0), RayOptions(), "cuda", jobs=10)
    assert workers == 4 and actor["num_gpus"] == 1
    with pytest.raises(UserError, match="the Ray cluster has no GPU"):
        worker_resources(FakeRay(CPU=16.0), RayOptions(), "cuda", jobs=10)
    with pytest.raises(UserError, match="each Ray worker gets one GPU; use --device cuda"):
        worker_resources(FakeRay(GPU=2.0), RayOptions(), "cuda:0,1", jobs=10)


def test_missing_ray_is_a_user_error_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(UserError, match=r"--ray needs Ray: pip install 'cmteb\[ray\]'"):
        import_ray()
