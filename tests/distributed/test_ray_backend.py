"""`--ray` on a local Ray instance (two CPU workers), driven in-process: results identical to a
single process although a worker dies mid-run; retrieval corpora split into chunk units; lost and
failing units reported while the rest finishes; a rerun resumes. Skipped when Ray is missing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cmteb.config import RunConfig, TaskSelection
from cmteb.distributed.options import RayOptions
from cmteb.errors import UserError
from cmteb.models.types import ModelOptions
from cmteb.runner import run
from cmteb.tasks.registry import TaskRegistry
from tests.distributed.big_task import write_big_retrieval
from tests.distributed.results import task_scores

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FAKES = "tests.distributed.fakes"
DEMO = tuple(TaskRegistry().benchmark("demo").tasks)


@pytest.fixture(scope="module")
def markers(tmp_path_factory):
    """A local Ray instance with 2 CPUs for this module; yields the workers' marker folder."""
    folder = tmp_path_factory.mktemp("markers")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"CMTEB_TEST_MARKERS": str(folder), "PYTHONPATH": str(ROOT)}})
    yield folder
    ray.shutdown()


def config(models, out: Path, ray_options: RayOptions | None = None, **selection) -> RunConfig:
    return RunConfig(models=tuple(models), selection=TaskSelection(**selection), output_dir=out,
                     show_progress=False, ray=ray_options)


def test_two_workers_give_single_process_scores_although_one_dies(markers, tmp_path):
    """CrashOnceHash kills its worker process on the first unit it gets; Ray restarts the worker and
    re-runs that unit only. BigRetrieval (32,768 + 300 documents) becomes 1 query + 2 chunk units."""
    big = write_big_retrieval(tmp_path / "big")
    selection = {"tasks": DEMO, "task_files": (big,)}
    single = run(config(["hash", f"{FAKES}:Hash64"], tmp_path / "single", **selection))
    assert all(o.status == "done" for o in single.outcomes)

    models = [f"{FAKES}:CrashOnceHash", f"{FAKES}:Hash64"]
    report = run(config(models, tmp_path / "ray", RayOptions(workers=2), **selection))
    assert (markers / "crash-once").exists()  # a worker did die
    assert [(o.model, o.task, o.status) for o in report.outcomes] == [
        (m.replace(":", "."), t, "done") for m in models for t in (*DEMO, "BigRetrieval")]
    ray_out, single_out = tmp_path / "ray", tmp_path / "single"
    assert task_scores(ray_out / f"{FAKES}.CrashOnceHash") == task_scores(single_out / "hash")
    assert task_scores(ray_out / f"{FAKES}.Hash64") == task_scores(single_out / f"{FAKES}.Hash64")
    big_result = next(o.result for o in report.outcomes if o.task == "BigRetrieval")
    assert big_result["cmteb"]["execution"]["jobs"] == 3  # queries, then two corpus chunks
    assert big_result["cmteb"]["encoding"]["texts"] == 40 + 32_768 + 300


def test_failing_units_are_reported_the_rest_finishes_and_a_rerun_resumes(markers, tmp_path):
    """FailsOnSTS raises on DemoSTS (not retried); CrashOnClustering kills every worker that runs
    DemoClustering, so that unit fails once Ray's restarts (none here) are used up and a fresh
    worker takes over. The 10 other units finish."""
    models = [f"{FAKES}:FailsOnSTS", f"{FAKES}:CrashOnClustering"]
    options = RayOptions(workers=2, max_restarts=0)
    report = run(config(models, tmp_path / "out", options, tasks=DEMO))
    failed = {(o.model, o.task): o.error for o in report.outcomes if o.status == "failed"}
    assert set(failed) == {(f"{FAKES}.FailsOnSTS", "DemoSTS"),
                           (f"{FAKES}.CrashOnClustering", "DemoClustering")}
    assert failed[(f"{FAKES}.FailsOnSTS", "DemoSTS")] == \
        "task DemoSTS: RuntimeError: this model is broken on STS"
    assert "worker lost while running" in failed[(f"{FAKES}.CrashOnClustering", "DemoClustering")]
    assert sum(o.status == "done" for o in report.outcomes) == 10
    assert len(list((tmp_path / "out").rglob("Demo*[!s].json"))) == 10

    again = run(config(models, tmp_path / "out", options, tasks=DEMO))
    assert sorted(o.status for o in again.outcomes) == ["failed"] * 2 + ["skipped"] * 10


def test_a_user_error_on_a_worker_stops_the_run_as_it_does_locally(markers, tmp_path):
    with pytest.raises(UserError, match="model CannotLoad: no weights found"):
        run(config([f"{FAKES}:CannotLoad"], tmp_path / "out", RayOptions(workers=1), tasks=DEMO[:2]))
    assert not list(tmp_path.rglob("*.json"))


def test_workers_read_the_embedding_cache_a_local_run_filled(markers, tmp_path):
    """A model with a revision gets the on-disk cache (`runner.task_embedder`, on every backend):
    after a local run filled it, the Ray workers embed nothing and give identical scores."""
    cached = {"model_options": ModelOptions(revision="v1"), "cache_dir": tmp_path / "cache"}
    models = [f"{FAKES}:Hash64"]
    local = run(replace(config(models, tmp_path / "local", tasks=DEMO), **cached))
    on_ray = run(replace(config(models, tmp_path / "ray", RayOptions(workers=2), tasks=DEMO), **cached))
    assert [o.status for o in on_ray.outcomes] == ["done"] * len(DEMO)
    assert sum(o.result["cmteb"]["encoding"]["encoded"] for o in local.outcomes) > 0
    for outcome in on_ray.outcomes:
        encoding = outcome.result["cmteb"]["encoding"]
        assert encoding["encoded"] == 0 and encoding["cache_hits"] == encoding["unique_texts"] > 0
    folder = f"{FAKES}.Hash64"
    assert task_scores(tmp_path / "ray" / folder) == task_scores(tmp_path / "local" / folder)
