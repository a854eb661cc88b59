"""The body of a Ray actor: one model replica, evaluating whole tasks or retrieval corpus chunks.

Plain Python (Ray wraps it with `ray.remote` at run time), so it imports without Ray. A worker
holds one model at a time: a job for another model drops the loaded one first. Every job's value
carries `texts` (texts embedded, for the progress line) and where it ran.

Embedding cache: each job embeds through `pipeline.task.task_embedder` with the stores of that job
(`RunStores`), so workers read and write the same on-disk cache (`--cache-dir`, shared safely
between processes and machines) as a local run; a run-scoped store (`--no-cache`, models without
a revision) lives for one job, so a killed worker leaves at most that job's temporary folder.
"""

from __future__ import annotations

import gc
import json
import socket
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from cmteb.config import RunConfig
from cmteb.data.types import TaskData
from cmteb.errors import TaskError
from cmteb.evaluators.search import get_searcher
from cmteb.models.cached_call import EncodeStats
from cmteb.models.embed_store import RunStores
from cmteb.models.types import ResolvedModel
from cmteb.pipeline.plan import Plan, PlannedTask
from cmteb.pipeline.task import TaskScores, score_task, task_embedder
from cmteb.results import provenance


@dataclass(frozen=True)
class Where:
    """The worker a job ran on."""

    host: str
    hardware: dict[str, Any]


@dataclass
class JobOutput:
    """What every job of a chunked unit reports beside its value: its encode counts, seconds and
    where it ran (summed into the unit's TaskScores by `jobs.assemble`)."""

    stats: EncodeStats
    seconds: float
    where: Where

    @property
    def texts(self) -> int:
        return self.stats.texts


@dataclass
class QueryEmbeddings(JobOutput):
    """A retrieval split's judged queries, float32 (nq, dim), in `SearchOrder.qids` order."""

    emb: np.ndarray


@dataclass
class ChunkHits(JobOutput):
    """One corpus chunk's best hits per query: (nq, min(depth, chunk docs)) scores and corpus
    positions (global, i.e. offset by the chunk's start), best first."""

    scores: np.ndarray
    positions: np.ndarray


def execution_record(places: list[Where]) -> dict[str, Any]:
    """`cmteb.execution` of a result made on Ray by jobs run at `places` (provenance, not decisive)."""
    hardware = {json.dumps(w.hardware, sort_keys=True): w.hardware for w in places}
    return {"backend": "ray", "jobs": len(places), "hosts": sorted({w.host for w in places}),
            "hardware": list(hardware.values())}


class UnitWorker:
    """Evaluates jobs for the driver; `plan` and `config` are the driver's."""

    def __init__(self, plan: Plan, config: RunConfig) -> None:
        self._plan, self._config = plan, config
        self._model: ResolvedModel | None = None
        self._where = Where(socket.gethostname(), provenance.hardware(config.model_options.device))

    def _replica(self, model: ResolvedModel) -> ResolvedModel:
        """This worker's loaded copy of `model` (one model held at a time)."""
        if self._model is None or (self._model.name, self._model.revision) != (model.name, model.revision):
            self._model = None
            gc.collect()
            self._model = replace(model, _encoder=None)
        return self._model

    def _stores(self) -> RunStores:
        return RunStores(cache_dir=self._config.cache_dir, use_cache=self._config.use_cache)

    def score_task(self, model: ResolvedModel, planned: PlannedTask, data: TaskData) -> TaskScores:
        """Every split of one task, evaluated here where its embeddings are."""
        with self._stores() as stores:
            scores = score_task(planned, data, self._replica(model), self._plan, self._config, stores)
        scores.execution = execution_record([self._where])
        return scores

    def embed_queries(self, model: ResolvedModel, planned: PlannedTask, texts: list[str]) -> QueryEmbeddings:
        start = time.perf_counter()
        with self._stores() as stores:
            embed = task_embedder(planned, self._replica(model), self._config, stores)
            try:
                emb = embed(texts, "query")
            finally:
                embed.close()
        return QueryEmbeddings(embed.stats, time.perf_counter() - start, self._where, emb=emb)

    def search_chunk(
        self, model: ResolvedModel, planned: PlannedTask, doc_texts: list[str], offset: int,
        queries: QueryEmbeddings, depth: int,
    ) -> ChunkHits:
        """Embed documents [offset, offset + len(doc_texts)) of the search order and return each
        query's `depth` best among them (the run's search, on this chunk)."""
        start = time.perf_counter()
        with self._stores() as stores:
            embed = task_embedder(planned, self._replica(model), self._config, stores)
            try:
                docs = embed(doc_texts, "document")
            finally:
                embed.close()
        if docs.shape[1] != queries.emb.shape[1]:
            raise TaskError(f"model {model.name} on task {planned.spec.name}: document embeddings have "
                            f"dimension {docs.shape[1]}, query embeddings {queries.emb.shape[1]}")
        scores, positions = get_searcher(self._config.search)(queries.emb, docs, depth)
        return ChunkHits(embed.stats, time.perf_counter() - start, self._where,
                         scores=scores, positions=positions + offset)
