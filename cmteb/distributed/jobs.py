"""How a unit becomes jobs for the workers, and how their values become the unit's TaskScores.

A unit (model, task) is one job, `score_task`, unless it is a retrieval task with a split whose
corpus exceeds `corpus_chunk` documents. Then every split of it becomes one `embed_queries` job
and one `search_chunk` job per `corpus_chunk` documents of the search order (each needs the
query job's embeddings); the driver merges the chunks' hits with the exact search's own policy
(`merge_top_k`) and scores them with the retrieval evaluator's `score_hits`. Jobs hold no Ray
objects of their own: `After(job_id)` in `args` stands for the value of an earlier job.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from cmteb.data.types import RetrievalCorpus, TaskData
from cmteb.distributed.options import check_corpus_chunk
from cmteb.distributed.worker import ChunkHits, JobOutput, execution_record
from cmteb.evaluators import SplitResult
from cmteb.evaluators.retrieval import SearchOrder, score_hits, search_depth, search_order
from cmteb.evaluators.search.exact import merge_top_k
from cmteb.models.cached_call import EncodeStats
from cmteb.pipeline.plan import Unit, model_key
from cmteb.pipeline.task import TaskScores
from cmteb.protocols import get_protocol


@dataclass(frozen=True)
class After:
    """Placeholder in `Job.args` for the value of job `job_id` (passed worker to worker)."""

    job_id: str


@dataclass
class Job:
    id: str
    unit: str  # the unit key
    model: str  # model key: a worker prefers jobs of the model it holds
    method: str  # UnitWorker method
    args: tuple[Any, ...]
    after: tuple[str, ...] = ()


@dataclass
class ChunkedSplit:
    """A retrieval split searched in chunks: its search order and its chunk jobs, in corpus order."""

    order: SearchOrder
    chunk_jobs: list[str]


@dataclass
class UnitWork:
    """The jobs of one unit; `chunked` holds each split of a chunked retrieval unit."""

    unit: Unit
    jobs: list[Job]
    chunked: dict[str, ChunkedSplit] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.unit.key


def is_chunked(unit: Unit, data: TaskData, corpus_chunk: int) -> bool:
    return unit.task.spec.type == "Retrieval" and any(
        isinstance(split, RetrievalCorpus) and len(split.corpus) > corpus_chunk
        for split in data.splits.values()
    )


def whole_task_work(unit: Unit, model_ref: Any, data_ref: Any) -> UnitWork:
    job = Job(unit.key, unit.key, model_key(unit.model), "score_task", (model_ref, unit.task, data_ref))
    return UnitWork(unit, [job])


def chunked_work(unit: Unit, data: TaskData, model_ref: Any, corpus_chunk: int) -> UnitWork:
    """Per split: one query job, then one search job per `corpus_chunk` documents (a multiple of
    the search's corpus block: `options.check_corpus_chunk`)."""
    check_corpus_chunk(corpus_chunk)
    model = model_key(unit.model)
    depth = search_depth(unit.task.spec)
    work = UnitWork(unit, [])
    for split, split_data in data.splits.items():
        assert isinstance(split_data, RetrievalCorpus)
        order = search_order(split_data)
        work.chunked[split] = ChunkedSplit(order, [])
        query_id = f"{unit.key}:{split}:queries"
        query_texts = [split_data.queries[qid] for qid in order.qids]
        work.jobs.append(Job(query_id, unit.key, model, "embed_queries",
                             (model_ref, unit.task, query_texts)))
        for start in range(0, len(order.doc_ids), corpus_chunk):
            texts = [split_data.corpus[d] for d in order.doc_ids[start : start + corpus_chunk]]
            chunk_id = f"{unit.key}:{split}:docs{start // corpus_chunk}"
            work.chunked[split].chunk_jobs.append(chunk_id)
            work.jobs.append(Job(chunk_id, unit.key, model, "search_chunk",
                                 (model_ref, unit.task, texts, start, After(query_id), depth),
                                 after=(query_id,)))
    return work


def assemble(work: UnitWork, values: dict[str, Any], protocol_name: str) -> TaskScores:
    """The unit's TaskScores from its jobs' values (`values[job.id]`)."""
    if not work.chunked:
        return values[work.jobs[0].id]
    start = time.perf_counter()
    spec = work.unit.task.spec
    protocol = get_protocol(protocol_name)
    splits: dict[str, SplitResult] = {}
    for split, part in work.chunked.items():
        chunks: list[ChunkHits] = [values[job_id] for job_id in part.chunk_jobs]
        depth = min(search_depth(spec), len(part.order.doc_ids))
        scores, positions = merge_top_k([c.scores for c in chunks], [c.positions for c in chunks], depth)
        splits[split] = score_hits(spec, part.order, scores, positions, protocol)
    parts: list[JobOutput] = [values[j.id] for j in work.jobs]
    seconds = sum(p.seconds for p in parts) + time.perf_counter() - start
    stats = EncodeStats.total([p.stats for p in parts])
    return TaskScores(splits, stats.texts, stats.unique_texts, seconds,
                      execution=execution_record([p.where for p in parts]), encoding=stats.engine_counts())
