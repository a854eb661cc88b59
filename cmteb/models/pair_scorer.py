"""The pair-scoring call evaluators make for rerankers: text policy, then the cached call.

`TaskPairScorer(queries, passages)` returns float32 (n,): the score of each (queries[i],
passages[i]) pair. The text policy applies as for embeddings (queries get the query prefix and
instruction, passages the passage prefix); then `cached_call.CachedCall` does what it does for
embeddings: each distinct pair reaches the model once, scores in the model's store (the on-disk
cache, or a run-scoped one: one float32 row of width 1 per pair, keyed by the pair's exact
model-input strings, `pair_key`) are read from it, and the missing pairs are scored in segments,
each stored as soon as it is done. So a second run of the same reranker scores nothing, a killed
run resumes after its last stored segment, and the model is loaded only when some pair is
missing (`contract.LazyAdapter`). The output must be one finite score per pair, else the task
fails with a message naming the model. Counts go to `stats` and the task's progress bar as for
embeddings, with pairs in place of texts, and the run's token budget applies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from cmteb.errors import TaskError
from cmteb.models.cached_call import CachedCall, EncodeStats
from cmteb.models.contract import Pair, PairScorer
from cmteb.models.policy import TextPolicy
from cmteb.tasks.spec import TaskSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cmteb.engine.cache import EmbeddingCache
    from cmteb.engine.progress import TaskProgress


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

    def __post_init__(self) -> None:
        self.calls = CachedCall(self.where, self.store, self.stats, self.progress, self.token_budget)

    @property
    def where(self) -> str:
        return f"model {self.model_name} on task {self.task.name}"

    def __call__(self, queries: Sequence[str], passages: Sequence[str]) -> np.ndarray:
        pairs = list(zip(self.policy.format(list(queries), "query", self.task),
                         self.policy.format(list(passages), "document", self.task), strict=True))

        def predict(batch: list[Pair]) -> object:
            return self.scorer.predict(batch, task=self.task, batch_size=self.batch_size)

        return self.calls(pairs, pair_key, predict, self._validated).reshape(-1)

    def _validated(self, out: object, expected: int) -> np.ndarray:
        """The scores as float32 (expected, 1): the stored rows of width 1."""
        try:
            scores = np.asarray(out, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise TaskError(f"{self.where}: predict() did not return numbers: {exc}") from exc
        if scores.shape != (expected,):
            raise TaskError(f"{self.where}: predict() returned shape {scores.shape}, expected ({expected},)")
        if not np.isfinite(scores).all():
            raise TaskError(f"{self.where}: predict() returned NaN or inf for "
                            f"{int((~np.isfinite(scores)).sum())} of {expected} pairs")
        return scores.reshape(-1, 1)
