"""Ray workers embed through `pipeline.task.task_embedder` with the run's embedding cache: a worker reads
what a local run or another worker wrote, for whole tasks and for chunked retrieval alike. The
worker's jobs are executed in-process here (no Ray needed); test_ray_backend runs it on Ray."""

from __future__ import annotations

import tempfile
from dataclasses import replace

import pytest

from cmteb.distributed.jobs import assemble, chunked_work
from cmteb.distributed.worker import UnitWorker
from cmteb.evaluators.search import exact
from cmteb.models.embed_store import RunStores
from cmteb.pipeline.task import score_task
from tests.distributed.test_chunks import execute, retrieval_data, setup

DOCS_AND_QUERIES = 41 + 12 - 1  # distinct texts of retrieval_data(): every document, judged queries


@pytest.fixture
def small_chunks(monkeypatch):
    """The exact search's corpus block made small, so that 41 documents span three chunks of 16."""
    monkeypatch.setattr(exact, "CORPUS_CHUNK", 8)


def cached_setup(tmp_path, **config_changes):
    """The chunk tests' unit with a model that has a revision (so it gets the on-disk cache)."""
    data = retrieval_data()
    unit, plan, config = setup(data)
    unit = replace(unit, model=replace(unit.model, adapter="python-class"))
    config = replace(config, cache_dir=tmp_path / "cache", show_progress=False, **config_changes)
    return data, unit, plan, config


def test_a_worker_reads_what_a_local_run_cached(tmp_path):
    data, unit, plan, config = cached_setup(tmp_path)
    with RunStores(cache_dir=config.cache_dir, use_cache=True) as stores:
        local = score_task(unit.task, data, unit.model, plan, config, stores)
    assert (local.encoding["encoded"], local.encoding["cache_hits"]) == (DOCS_AND_QUERIES, 0)

    on_worker = UnitWorker(plan, config).score_task(unit.model, unit.task, data)
    assert (on_worker.encoding["encoded"], on_worker.encoding["cache_hits"]) == (0, DOCS_AND_QUERIES)
    assert on_worker.splits["test"].metrics == local.splits["test"].metrics
    assert on_worker.execution["backend"] == "ray"


def test_chunked_jobs_on_two_workers_share_the_cache(tmp_path, small_chunks):
    data, unit, plan, config = cached_setup(tmp_path)
    work = chunked_work(unit, data, unit.model, 16)
    first = assemble(work, execute(work, UnitWorker(plan, config)), plan.protocol)
    again = assemble(work, execute(work, UnitWorker(plan, config)), plan.protocol)
    assert (first.encoding["encoded"], first.encoding["cache_hits"]) == (DOCS_AND_QUERIES, 0)
    assert (again.encoding["encoded"], again.encoding["cache_hits"]) == (0, DOCS_AND_QUERIES)
    assert again.texts == first.texts == DOCS_AND_QUERIES
    assert again.splits["test"].metrics == first.splits["test"].metrics
    assert again.splits["test"].run == first.splits["test"].run


def test_no_cache_leaves_nothing_behind(tmp_path, small_chunks, monkeypatch):
    """Under --no-cache each job's run-scoped store (a temporary folder) is removed with the job."""
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    data, unit, plan, config = cached_setup(tmp_path, use_cache=False)
    work = chunked_work(unit, data, unit.model, 16)
    scores = assemble(work, execute(work, UnitWorker(plan, config)), plan.protocol)
    assert scores.encoding["encoded"] == DOCS_AND_QUERIES
    assert not (tmp_path / "cache").exists() and not list((tmp_path / "tmp").iterdir())
