"""The pair-scoring call evaluators make for rerankers: policy, dedupe, predict, validate.

`TaskPairScorer(queries, passages)` returns float32 (n,): the score of each (queries[i],
passages[i]) pair. The text policy applies as for embeddings (queries get the query prefix and
instruction, passages the passage prefix); each distinct pair reaches the model once; the output
must be one finite score per pair, else the task fails with a message naming the model.

Scores are cached like embeddings: in the model's store (the on-disk cache, or a run-scoped one),
one float32 row of width 1 per pair, keyed by the pair's exact model-input strings (`pair_key`).
So a second run of the same reranker on the same tasks scores nothing, and the model is loaded
only when some pair is missing (`embedder.LazyAdapter`). Counts go to `stats` and the task's
progress bar as for embeddings, with pairs in place of texts, and the run's token budget applies.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from cmteb.errors import TaskError
from cmteb.models.embedder import EncodeStats, run_settings
from cmteb.models.policy import TextPolicy
from cmteb.tasks.spec import TaskSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cmteb.engine.cache import EmbeddingCache
    from cmteb.engine.progress import TaskProgress

Pair = tuple[str, str]


@runtime_checkable
class PairScorer(Protocol):
    """A cross-encoder: one relevance score per (query, passage) pair, higher = more relevant."""

    def predict(self, pairs: list[Pair], *, task: TaskSpec, batch_size: int) -> np.ndarray: ...


def pair_key(pair: Pair) -> str:
    """The cache key string of a (query, passage) pair: both strings exactly, unambiguously."""
    return json.dumps(pair, ensure_ascii=False)


@dataclass
class TaskPairScorer:
    scorer: PairScorer
    policy: TextPolicy
    task: TaskSpec
    batch_size: int = 32
    model_name: str = "model"
    store: EmbeddingCache | None = None
    stats: EncodeStats = field(default_factory=EncodeStats)
    progress: TaskProgress | None = None
    token_budget: int | None = None

    def __call__(self, queries: Sequence[str], passages: Sequence[str]) -> np.ndarray:
        pairs = list(zip(self.policy.format(list(queries), "query", self.task),
                         self.policy.format(list(passages), "document", self.task), strict=True))
        self.stats.texts += len(pairs)
        if not pairs:
            return np.zeros(0, dtype=np.float32)
        unique = list(dict.fromkeys(pairs))
        self.stats.unique_texts += len(unique)
        where = {pair: i for i, pair in enumerate(unique)}
        return self._score_unique(unique)[[where[p] for p in pairs]]

    def _score_unique(self, pairs: list[Pair]) -> np.ndarray:
        """float32 (len(pairs),): stored scores where cached, the model's for the rest (stored)."""
        keys = [pair_key(p) for p in pairs]
        found, cached = (self.store.lookup(keys) if self.store is not None
                         else (np.zeros(len(pairs), dtype=bool), None))
        out = np.empty(len(pairs), dtype=np.float32)
        if cached is not None:
            out[found] = cached[:, 0]
        missing = np.flatnonzero(~found)
        self.stats.cache_hits += len(pairs) - len(missing)
        if self.progress is not None:
            self.progress.expect(len(missing), len(pairs) - len(missing))
        if len(missing):
            start = time.perf_counter()
            with run_settings(self.token_budget, self.progress, len(missing)):
                predicted = self.scorer.predict([pairs[i] for i in missing], task=self.task,
                                                batch_size=self.batch_size)
            scores = self._validated(predicted, len(missing))
            self.stats.encode_s += time.perf_counter() - start
            self.stats.encoded += len(missing)
            if self.store is not None:
                self.store.store([keys[i] for i in missing], scores.reshape(-1, 1))
            out[missing] = scores
        return out

    def _validated(self, out: object, expected: int) -> np.ndarray:
        name = f"model {self.model_name} on task {self.task.name}"
        try:
            scores = np.asarray(out, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise TaskError(f"{name}: predict() did not return numbers: {exc}") from exc
        if scores.shape != (expected,):
            raise TaskError(f"{name}: predict() returned shape {scores.shape}, expected ({expected},)")
        if not np.isfinite(scores).all():
            raise TaskError(f"{name}: predict() returned NaN or inf for "
                            f"{int((~np.isfinite(scores)).sum())} of {expected} pairs")
        return scores
