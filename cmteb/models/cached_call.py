"""The cached call under `TaskEmbedder` and `TaskPairScorer`: one row per distinct model input,
read from the model's store when it is there, computed and stored when it is not.

`CachedCall(items, key, compute, validate)` returns float32 (len(items), width) in input order:
1. each distinct item (a model-input text, or a (query, passage) pair) is handled once per call;
   `key(item)` is the exact string its row is stored under;
2. rows already in the store (the on-disk cache, or a run-scoped store when caching is off) are
   read from it: this is also how inputs shared between the tasks of a run are computed once;
3. the rest go to `compute(items) -> array` in segments of `segment_rows` (SEGMENT_ROWS unless the
   model asks for smaller ones: `ResolvedModel.store_every`), under the run's engine
   settings (token budget, the task's progress bar advanced per batch); a worker process that
   fails and an out-of-memory error that batch halving cannot avoid fail the task (TaskError);
4. each segment's output is checked by `validate(out, n) -> float32 (n, width)` (which raises
   TaskError), and its width must be the task's, before it is stored or scored;
5. each segment is stored as soon as it is done, so an interrupted run resumes after the last
   stored segment.
Counts (inputs asked for, distinct, read from the store, computed, seconds) go to `stats`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from cmteb.engine.context import engine_settings
from cmteb.engine.local import EngineOutOfMemory
from cmteb.engine.pool import WorkerFailed
from cmteb.errors import TaskError

if TYPE_CHECKING:
    from cmteb.engine.cache import EmbeddingCache
    from cmteb.engine.progress import TaskProgress

SEGMENT_ROWS = 16384
Item = TypeVar("Item", bound=Hashable)


@dataclass
class EncodeStats:
    """Counts for one task: inputs asked for, distinct per call, read from the store, computed
    (texts for a bi-encoder, pairs for a cross-encoder)."""

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


def dedupe(items: Sequence[Item]) -> tuple[list[Item], np.ndarray]:
    """(distinct items in first-seen order, inverse (n,) with distinct[inverse[i]] == items[i])."""
    index: dict[Item, int] = {}
    inverse = np.fromiter((index.setdefault(t, len(index)) for t in items), dtype=np.int64,
                          count=len(items))
    return list(index), inverse


@dataclass
class CachedCall:
    """The cached call of one (model, task); `where` names them in errors ("model M on task T")."""

    where: str
    store: EmbeddingCache | None = None
    stats: EncodeStats = field(default_factory=EncodeStats)
    progress: TaskProgress | None = None
    token_budget: int | None = None  # padded tokens per batch; None = the backend's default
    width: int | None = None  # row width, fixed by the first rows seen
    segment_rows: int | None = None  # rows computed, then stored, at a time (None: SEGMENT_ROWS)

    def __call__(self, items: Sequence[Item], key: Callable[[Item], str],
                 compute: Callable[[list[Item]], object],
                 validate: Callable[[object, int], np.ndarray]) -> np.ndarray:
        """float32 (len(items), width) in input order (module docstring)."""
        unique, inverse = dedupe(items)
        self.stats.texts += len(items)
        self.stats.unique_texts += len(unique)
        if not unique:
            return np.zeros((0, self.width or 0), dtype=np.float32)
        rows = self._unique_rows(unique, [key(item) for item in unique], compute, validate)
        return rows if len(unique) == len(items) else rows[inverse]  # no copy without repeats

    def _unique_rows(self, items: list[Item], keys: list[str], compute: Callable[[list[Item]], object],
                     validate: Callable[[object, int], np.ndarray]) -> np.ndarray:
        if self.store is not None:
            found, cached = self.store.lookup(keys)
        else:
            found, cached = np.zeros(len(keys), dtype=bool), None
        missing = np.flatnonzero(~found)
        self.stats.cache_hits += len(keys) - len(missing)
        if self.progress is not None:
            self.progress.expect(len(missing), len(keys) - len(missing))
        out: np.ndarray | None = None
        if cached is not None:
            self._check_width(cached.shape[1])
            out = np.empty((len(keys), cached.shape[1]), dtype=np.float32)
            out[found] = cached
        step = self.segment_rows or SEGMENT_ROWS
        for start in range(0, len(missing), step):
            segment = missing[start : start + step]
            rows = self._compute([items[i] for i in segment], compute, validate)
            if self.store is not None:
                self.store.store([keys[i] for i in segment], rows)
            if out is None:
                out = np.empty((len(keys), rows.shape[1]), dtype=np.float32)
            out[segment] = rows
        assert out is not None
        return out

    def _compute(self, items: list[Item], compute: Callable[[list[Item]], object],
                 validate: Callable[[object, int], np.ndarray]) -> np.ndarray:
        start = time.perf_counter()
        # the bar advances per batch the engine reports; the rest of the call counts when it returns
        counted = self.progress.call(len(items)) if self.progress is not None else nullcontext()
        with engine_settings(token_budget=self.token_budget,
                             on_rows=self.progress.advance if self.progress is not None else None), counted:
            try:
                out = compute(items)
            except (WorkerFailed, EngineOutOfMemory) as exc:
                raise TaskError(f"{self.where}: {exc}") from exc
        self.stats.encode_s += time.perf_counter() - start
        self.stats.encoded += len(items)
        rows = validate(out, len(items))
        self._check_width(rows.shape[1])
        return rows

    def _check_width(self, width: int) -> None:
        if self.width is None:
            self.width = width
        elif width != self.width:
            raise TaskError(f"{self.where}: embedding dimension changed from {self.width} to {width}")
