"""The embedding call evaluators make: policy, dedupe, cache, encode, validate.

`TaskEmbedder(texts, role)` returns float32 (len(texts), dim) in input order:
1. the text policy turns each text into the exact model-input string for `role`;
2. each distinct string is embedded once per call (dedupe);
3. strings already in the model's store (the on-disk cache, or a run-scoped store when caching
   is off) are read from it: this is also how texts shared between the tasks of a run are
   encoded once;
4. the rest go to the encoder in segments of `segment_texts` (SEGMENT_TEXTS, or the model's
   `store_every`), each stored as soon as it is done
   (an interrupted run resumes from there), under the run's engine settings (token budget,
   progress);
5. every encoder output is checked before it is stored or scored (row count, one dimension for
   the whole task, finite values), so a broken adapter fails the task with a clear message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cmteb.engine.batching import DEFAULT_BATCH_SIZE
from cmteb.engine.context import engine_settings
from cmteb.engine.local import EngineOutOfMemory
from cmteb.engine.pool import WorkerFailed
from cmteb.errors import TaskError
from cmteb.models.policy import TextPolicy
from cmteb.models.protocol import Encoder, Role
from cmteb.tasks.spec import TaskSpec

if TYPE_CHECKING:
    from cmteb.engine.cache import EmbeddingCache
    from cmteb.engine.progress import TaskProgress

SEGMENT_TEXTS = 16384


@dataclass
class EncodeStats:
    """Counts for one task: texts asked for, distinct per call, read from the store, encoded."""

    texts: int = 0
    unique_texts: int = 0
    cache_hits: int = 0
    encoded: int = 0
    encode_s: float = 0.0

    def record(self) -> dict[str, Any]:
        return {**asdict(self), "encode_s": round(self.encode_s, 3)}

    def engine_counts(self) -> dict[str, Any]:
        """What the engine adds to `cmteb.encoding` beside the texts counts."""
        return {"cache_hits": self.cache_hits, "encoded": self.encoded, "encode_s": round(self.encode_s, 3)}

    @classmethod
    def total(cls, parts: Sequence[EncodeStats]) -> EncodeStats:
        """The sum of several calls' counts (e.g. the jobs of one task on Ray)."""
        return cls(*(sum(getattr(p, name) for p in parts) for name in cls.__dataclass_fields__))


class LazyAdapter:
    """A model adapter loaded on its first `encode` (bi-encoder) or `predict` (cross-encoder)
    call: a task served wholly from the store never loads the model. `load` returns the loaded
    adapter (the same object on every call)."""

    def __init__(self, load: Callable[[], Any]) -> None:
        self._load = load

    def encode(self, texts: list[str], *, role: Role, task: TaskSpec, batch_size: int) -> np.ndarray:
        return self._load().encode(texts, role=role, task=task, batch_size=batch_size)

    def predict(self, pairs: list[tuple[str, str]], *, task: TaskSpec, batch_size: int) -> np.ndarray:
        return self._load().predict(pairs, task=task, batch_size=batch_size)


def run_settings(token_budget: int | None, progress: TaskProgress | None) -> AbstractContextManager[object]:
    """The engine settings of one encode or predict call: the run's token budget (None = the
    backend's default) and the task's progress bar, advanced as each batch finishes."""
    return engine_settings(token_budget=token_budget,
                           on_rows=progress.advance if progress is not None else None)


def dedupe(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """(distinct texts in first-seen order, inverse (n,) with distinct[inverse[i]] == texts[i])."""
    index: dict[str, int] = {}
    inverse = np.fromiter((index.setdefault(t, len(index)) for t in texts), dtype=np.int64,
                          count=len(texts))
    return list(index), inverse


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
    segment_texts: int = SEGMENT_TEXTS
    stats: EncodeStats = field(default_factory=EncodeStats)
    _dim: int | None = None

    def __call__(self, texts: Sequence[str], role: Role) -> np.ndarray:
        model_texts = self.policy.format(list(texts), role, self.task)
        unique, inverse = dedupe(model_texts)
        self.stats.texts += len(model_texts)
        self.stats.unique_texts += len(unique)
        if not unique:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        rows = self._embed_unique(unique, role)
        return rows if len(unique) == len(model_texts) else rows[inverse]  # no copy without repeats

    def _embed_unique(self, texts: list[str], role: Role) -> np.ndarray:
        if self.store is not None:
            found, cached = self.store.lookup(texts)
        else:
            found, cached = np.zeros(len(texts), dtype=bool), None
        missing = np.flatnonzero(~found)
        self.stats.cache_hits += len(texts) - len(missing)
        if self.progress is not None:
            self.progress.expect(len(missing), len(texts) - len(missing))
        out: np.ndarray | None = None
        if cached is not None:
            self._check_dim(cached.shape[1])
            out = np.empty((len(texts), cached.shape[1]), dtype=np.float32)
            out[found] = cached
        for start in range(0, len(missing), self.segment_texts):
            segment = missing[start : start + self.segment_texts]
            seg_texts = [texts[i] for i in segment]
            rows = self._encode(seg_texts, role)
            if self.store is not None:
                self.store.store(seg_texts, rows)
            if out is None:
                out = np.empty((len(texts), rows.shape[1]), dtype=np.float32)
            out[segment] = rows
        assert out is not None
        return out

    def _encode(self, texts: list[str], role: Role) -> np.ndarray:
        start = time.perf_counter()
        with run_settings(self.token_budget, self.progress):
            try:
                out = self.encoder.encode(texts, role=role, task=self.task, batch_size=self.batch_size)
            except (WorkerFailed, EngineOutOfMemory) as exc:
                raise TaskError(f"model {self.model_name} on task {self.task.name}: {exc}") from exc
        self.stats.encode_s += time.perf_counter() - start
        self.stats.encoded += len(texts)
        return self._validated(out, len(texts))

    def close(self) -> None:
        """End the task's progress bar (if any)."""
        if self.progress is not None:
            self.progress.close()

    def _check_dim(self, dim: int) -> None:
        if self._dim is None:
            self._dim = dim
        elif dim != self._dim:
            raise TaskError(f"model {self.model_name} on task {self.task.name}: embedding dimension "
                            f"changed from {self._dim} to {dim}")

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
        self._check_dim(emb.shape[1])
        if not np.isfinite(emb).all():
            bad = int((~np.isfinite(emb)).any(axis=1).sum())
            raise TaskError(f"{where}: encode() returned NaN or inf in {bad} of {expected_rows} rows")
        return emb
