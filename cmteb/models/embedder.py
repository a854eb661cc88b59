"""The embedding call evaluators make: policy, dedupe, encode, validate.

`TaskEmbedder(texts, role)` returns float32 (len(texts), dim). Each distinct model-input string is
encoded once per task; the output is checked before any scoring (row count, one dimension for the
whole task, finite values), so a broken adapter fails the task with a clear message instead of
producing a wrong score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cmteb.errors import TaskError
from cmteb.models.policy import TextPolicy
from cmteb.models.protocol import Encoder, Role
from cmteb.tasks.spec import TaskSpec


@dataclass
class EncodeStats:
    texts: int = 0
    unique_texts: int = 0


@dataclass
class TaskEmbedder:
    encoder: Encoder
    policy: TextPolicy
    task: TaskSpec
    batch_size: int = 32
    model_name: str = "model"
    stats: EncodeStats = field(default_factory=EncodeStats)
    _dim: int | None = None

    def __call__(self, texts: Sequence[str], role: Role) -> np.ndarray:
        model_texts = self.policy.format(list(texts), role, self.task)
        unique, inverse = np.unique(np.asarray(model_texts, dtype=object), return_inverse=True)
        self.stats.texts += len(model_texts)
        self.stats.unique_texts += len(unique)
        if len(unique) == 0:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        out = self.encoder.encode(
            list(unique), role=role, task=self.task, batch_size=self.batch_size
        )
        emb = self._validated(out, len(unique))
        return emb[inverse]

    def _validated(self, out: object, expected_rows: int) -> np.ndarray:
        where = f"model {self.model_name} on task {self.task.name}"
        try:
            emb = np.asarray(out, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise TaskError(f"{where}: encode() did not return a numeric array: {exc}") from exc
        if emb.ndim != 2 or emb.shape[0] != expected_rows:
            raise TaskError(
                f"{where}: encode() returned shape {emb.shape}, expected ({expected_rows}, dim)"
            )
        if self._dim is None:
            self._dim = emb.shape[1]
        elif emb.shape[1] != self._dim:
            raise TaskError(f"{where}: embedding dimension changed from {self._dim} to {emb.shape[1]}")
        if not np.isfinite(emb).all():
            bad = int((~np.isfinite(emb)).any(axis=1).sum())
            raise TaskError(f"{where}: encode() returned NaN or inf in {bad} of {expected_rows} rows")
        return emb
