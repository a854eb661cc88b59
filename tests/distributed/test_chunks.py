"""Chunked retrieval units, executed in-process (no Ray): the worker's jobs merged by the driver
give exactly the single-process evaluator's scores, whatever the chunk size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cmteb.config import RunConfig
from cmteb.data.types import DataSource, PairScores, RetrievalCorpus, TaskData
from cmteb.distributed.jobs import After, assemble, chunked_work, is_chunked
from cmteb.distributed.options import RayOptions
from cmteb.distributed.units import Unit
from cmteb.distributed.worker import UnitWorker
from cmteb.errors import UserError
from cmteb.evaluators import _search
from cmteb.models.policy import TextPolicy
from cmteb.models.types import ResolvedModel
from cmteb.runner import score_task
from cmteb.selection import Plan, PlannedTask
from tests.conftest import make_spec
from tests.evaluators._support import fake_vectors


class FakeVectors:
    def encode(self, texts, *, role, task, batch_size):
        return fake_vectors(list(texts))


def retrieval_data() -> TaskData:
    """40 documents on 5 topics (some exact duplicates: tied scores across chunk borders), 12 queries;
    query q3 is also a document id (the protocols' identical-id rule applies)."""
    corpus = {f"d{i:02d}": f"topic{i % 5}|v{i % 13}" for i in range(40)}
    corpus["q3"] = "topic3|self"
    queries = {f"q{j}": f"topic{j % 5}|q{j}" for j in range(12)}
    qrels = {f"q{j}": {f"d{(j + 5 * r) % 40:02d}": 1 + r % 2 for r in range(3)} for j in range(11)}
    qrels["q3"]["q3"] = 1
    return TaskData({"test": RetrievalCorpus(corpus, queries, qrels)}, DataSource("local", "mem"))


def setup(data: TaskData, task_type: str = "Retrieval"):
    extra = {"retrieval": {"k_values": [1, 3, 5, 10]}} if task_type == "Retrieval" else {}
    spec = make_spec(task_type, **extra)
    planned = PlannedTask(spec, Path("mem.yaml"), ("test",), ())
    plan = Plan("cmteb", (planned,), None)
    model = ResolvedModel("fake", "r1", TextPolicy(), "python-object", {}, FakeVectors)
    return Unit(model, planned), plan, RunConfig(models=())


def execute(work, worker: UnitWorker) -> dict:
    """Run the jobs in list order (each job's `after` comes earlier), as the scheduler would."""
    values: dict = {}
    for job in work.jobs:
        args = [values[a.job_id] if isinstance(a, After) else a for a in job.args]
        values[job.id] = getattr(worker, job.method)(*args)
    return values


@pytest.fixture
def search_block(monkeypatch):
    """The exact search's corpus block, made small so that 41 documents span several chunks."""
    monkeypatch.setattr(_search, "CORPUS_CHUNK", 8)
    return 8


@pytest.mark.parametrize("blocks", [1, 2, 5])
def test_chunked_retrieval_scores_equal_the_single_process_evaluator(search_block, blocks):
    chunk = blocks * search_block
    data = retrieval_data()
    unit, plan, config = setup(data)
    single = score_task(unit.task, data, unit.model, plan, config)
    work = chunked_work(unit, data, unit.model, chunk)
    assert len(work.jobs) == 1 + -(-41 // chunk)  # one query job, then ceil(41 / chunk) chunks
    assert len(work.jobs) > 2
    chunked = assemble(work, execute(work, UnitWorker(plan, config)), plan.protocol)
    assert chunked.splits["test"].metrics == single.splits["test"].metrics
    assert chunked.splits["test"].samples == single.splits["test"].samples
    assert chunked.splits["test"].run == single.splits["test"].run
    assert "protocol_variants" in chunked.splits["test"].metrics  # q3 finds itself
    assert chunked.texts == 12 - 1 + 41  # judged queries once, every document once
    assert chunked.execution["backend"] == "ray" and chunked.execution["jobs"] == len(work.jobs)


def test_a_chunk_must_be_a_multiple_of_the_search_block(search_block):
    with pytest.raises(UserError, match="multiple of 8"):
        RayOptions(corpus_chunk=12)
    unit, _, _ = setup(retrieval_data())
    with pytest.raises(UserError, match="multiple of 8"):
        chunked_work(unit, retrieval_data(), unit.model, 7)
    assert RayOptions(corpus_chunk=16).corpus_chunk == 16


def test_only_retrieval_corpora_larger_than_a_chunk_are_chunked():
    data = retrieval_data()
    unit, _, _ = setup(data)
    assert is_chunked(unit, data, 40) and not is_chunked(unit, data, 41)
    sts = TaskData({"test": PairScores(["a"] * 50, ["b"] * 50, [1.0] * 50)}, DataSource("local", "mem"))
    sts_unit, _, _ = setup(sts, "STS")
    assert not is_chunked(sts_unit, sts, 1)


def test_a_worker_holds_one_model_at_a_time():
    data = retrieval_data()
    unit, plan, config = setup(data)
    worker = UnitWorker(plan, config)
    first = worker._replica(unit.model)
    assert worker._replica(unit.model) is first
    other = ResolvedModel("other", "r1", TextPolicy(), "python-object", {}, FakeVectors)
    assert worker._replica(other).name == "other" and worker._replica(other) is not first
    np.testing.assert_array_equal(first.load().encode(["x"], role="query", task=None, batch_size=1),
                                  fake_vectors(["x"]))


def test_chunk_jobs_search_with_the_run_search_backend(search_block, monkeypatch):
    """`--search faiss` reaches the workers' chunk searches (wiring: each chunk calls faiss)."""
    from cmteb.evaluators import _faiss_search

    calls: list[int] = []

    def counting(queries, docs, k):
        calls.append(len(docs))
        return _search.merge_top_k([queries @ docs.T], [np.tile(np.arange(len(docs)), (len(queries), 1))], k)

    monkeypatch.setattr(_faiss_search, "faiss_top_k", counting)
    data = retrieval_data()
    unit, plan, _ = setup(data)
    work = chunked_work(unit, data, unit.model, 2 * search_block)
    execute(work, UnitWorker(plan, RunConfig(models=(), search="faiss")))
    assert calls == [16, 16, 9]  # 41 documents in chunks of 16
