"""The pair-scoring call evaluators make for rerankers: policy, dedupe, predict, validate.

`TaskPairScorer(queries, passages)` returns float32 (n,): the score of each (queries[i],
passages[i]) pair. The text policy applies as for embeddings (queries get the query prefix and
instruction, passages the passage prefix); each distinct pair reaches the model once; the output
must be one finite score per pair, else the task fails with a message naming the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from cmteb.errors import TaskError
from cmteb.models.policy import TextPolicy
from cmteb.tasks.spec import TaskSpec

if TYPE_CHECKING:
    from collections.abc import Sequence


@runtime_checkable
class PairScorer(Protocol):
    """A cross-encoder: one relevance score per (query, passage) pair, higher = more relevant."""

    def predict(self, pairs: list[tuple[str, str]], *, task: TaskSpec, batch_size: int) -> np.ndarray: ...


@dataclass
class TaskPairScorer:
    scorer: PairScorer
    policy: TextPolicy
    task: TaskSpec
    batch_size: int = 32
    model_name: str = "model"

    def __call__(self, queries: Sequence[str], passages: Sequence[str]) -> np.ndarray:
        pairs = list(zip(self.policy.format(list(queries), "query", self.task),
                         self.policy.format(list(passages), "document", self.task), strict=True))
        if not pairs:
            return np.zeros(0, dtype=np.float32)
        unique = list(dict.fromkeys(pairs))
        where = {pair: i for i, pair in enumerate(unique)}
        out = self.scorer.predict(unique, task=self.task, batch_size=self.batch_size)
        scores = self._validated(out, len(unique))
        return scores[[where[p] for p in pairs]]

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
