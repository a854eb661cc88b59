"""The body of a Ray actor: one model replica, evaluating whole tasks or retrieval corpus chunks.

Plain Python (Ray wraps it with `ray.remote` at run time), so it imports without Ray. A worker
holds one model at a time: a job for another model drops the loaded one first. Every job's value
carries `texts` (texts embedded, for the progress line) and where it ran.
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
from cmteb.evaluators._search import top_k_cosine
from cmteb.models.resolve import ResolvedModel
from cmteb.results import provenance
from cmteb.runner import TaskScores, score_task, task_embedder
from cmteb.selection import Plan, PlannedTask


@dataclass(frozen=True)
class Where:
    """The worker a job ran on."""

    host: str
    hardware: dict[str, Any]


@dataclass
class QueryEmbeddings:
    """A retrieval split's judged queries, float32 (nq, dim), in `SearchOrder.qids` order."""

    emb: np.ndarray
    texts: int
    unique_texts: int
    seconds: float
    where: Where


@dataclass
class ChunkHits:
    """One corpus chunk's best hits per query: (nq, min(depth, chunk docs)) scores and corpus
    positions (global, i.e. offset by the chunk's start), best first."""

    scores: np.ndarray
    positions: np.ndarray
    texts: int
    unique_texts: int
    seconds: float
    where: Where


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

    def score_task(self, model: ResolvedModel, planned: PlannedTask, data: TaskData) -> TaskScores:
        """Every split of one task, evaluated here where its embeddings are."""
        scores = score_task(planned, data, self._replica(model), self._plan, self._config)
        scores.execution = execution_record([self._where])
        return scores

    def embed_queries(self, model: ResolvedModel, planned: PlannedTask, texts: list[str]) -> QueryEmbeddings:
        start = time.perf_counter()
        embed = task_embedder(planned, self._replica(model), self._config)
        emb = embed(texts, "query")
        return QueryEmbeddings(emb, embed.stats.texts, embed.stats.unique_texts,
                               time.perf_counter() - start, self._where)

    def search_chunk(
        self, model: ResolvedModel, planned: PlannedTask, doc_texts: list[str], offset: int,
        queries: QueryEmbeddings, depth: int,
    ) -> ChunkHits:
        """Embed documents [offset, offset + len(doc_texts)) of the search order and return each
        query's `depth` best among them (the exact search of `top_k_cosine`, on this chunk)."""
        start = time.perf_counter()
        embed = task_embedder(planned, self._replica(model), self._config)
        docs = embed(doc_texts, "document")
        if docs.shape[1] != queries.emb.shape[1]:
            raise TaskError(f"model {model.name} on task {planned.spec.name}: document embeddings have "
                            f"dimension {docs.shape[1]}, query embeddings {queries.emb.shape[1]}")
        scores, positions = top_k_cosine(queries.emb, docs, depth)
        return ChunkHits(scores, positions + offset, embed.stats.texts, embed.stats.unique_texts,
                         time.perf_counter() - start, self._where)
