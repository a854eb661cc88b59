"""The embedding call evaluators make: text policy, then the cached call (`cached_call`).

`TaskEmbedder(texts, role)` returns float32 (len(texts), dim) in input order:
1. the text policy turns each text into the exact model-input string for `role`;
2. `CachedCall` does the rest: each distinct string once, rows from the model's store where they
   are, the others from `encoder.encode` in segments, each stored as soon as it is done;
3. every encoder output is checked before it is stored or scored (row count, one dimension for
   the whole task, finite values), so a broken adapter fails the task with a clear message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from cmteb.engine.batching import DEFAULT_BATCH_SIZE
from cmteb.errors import TaskError
from cmteb.models.cached_call import CachedCall, EncodeStats
from cmteb.models.contract import Encoder, Role
from cmteb.models.policy import TextPolicy
from cmteb.tasks.spec import TaskSpec

if TYPE_CHECKING:
    from cmteb.engine.cache import EmbeddingCache
    from cmteb.engine.progress import TaskProgress


@dataclass
class TaskEmbedder:
    encoder: Encoder
    policy: TextPolicy
    task: TaskSpec
    batch_size: int = DEFAULT_BATCH_SIZE
    model_name: str = "model"
    store: EmbeddingCache | None = None
    progress: TaskProgress | None = None
    token_budget: int | None = None
    stats: EncodeStats = field(default_factory=EncodeStats)
    segment_texts: int | None = None  # texts encoded, then stored, at a time (None: SEGMENT_ROWS)

    def __post_init__(self) -> None:
        self.calls = CachedCall(self.where, self.store, self.stats, self.progress, self.token_budget,
                                segment_rows=self.segment_texts)

    @property
    def where(self) -> str:
        return f"model {self.model_name} on task {self.task.name}"

    def __call__(self, texts: Sequence[str], role: Role) -> np.ndarray:
        def encode(batch: list[str]) -> object:
            return self.encoder.encode(batch, role=role, task=self.task, batch_size=self.batch_size)

        return self.calls(self.policy.format(list(texts), role, self.task), str, encode, self._validated)

    def close(self) -> None:
        """End the task's progress bar (if any)."""
        if self.progress is not None:
            self.progress.close()

    def _validated(self, out: object, expected_rows: int) -> np.ndarray:
        try:
            emb = np.asarray(out, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise TaskError(f"{self.where}: encode() did not return a numeric array: {exc}") from exc
        if emb.ndim != 2 or emb.shape[0] != expected_rows:
            raise TaskError(
                f"{self.where}: encode() returned shape {emb.shape}, expected ({expected_rows}, dim)"
            )
        if not np.isfinite(emb).all():
            bad = int((~np.isfinite(emb)).any(axis=1).sum())
            raise TaskError(f"{self.where}: encode() returned NaN or inf in {bad} of {expected_rows} rows")
        return emb
