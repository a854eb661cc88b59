"""The contract between model adapters and the encoding engine, and the engine's entry point.

An adapter that owns a tokenizer and a forward pass implements `TokenBackend`; the engine
decides how texts are grouped into batches (`encode_texts`):

1. token lengths of every text (after truncation), then a stable longest-first order;
2. batches of consecutive sorted texts within a padded-token budget and a row cap
   (`batching`), run in this process (`local.BatchRunner`: OOM -> halve and continue) or over
   worker processes, one per device (`pool.WorkerPool`);
3. each batch's float32 rows are written straight into the (n, dim) output at their original
   positions, so the result is in input order and nothing accumulates on the device.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from cmteb.engine.batching import length_order, plan_batches
from cmteb.engine.context import current_settings
from cmteb.engine.devices import default_token_budget
from cmteb.engine.local import BatchRunner

if TYPE_CHECKING:
    from cmteb.engine.pool import WorkerPool


@runtime_checkable
class TokenBackend(Protocol):
    """Optional attributes the engine reads: `token_budget` (padded tokens per batch) or else
    `device` (a torch device string: the budget then defaults to `default_token_budget(device)`)."""

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Tokens per text after truncation at the model's max length, special tokens included."""
        ...

    def forward(self, texts: list[str]) -> np.ndarray:
        """Embed one batch: float32 (len(texts), dim), on the host."""
        ...


def encode_texts(
    backend: TokenBackend,
    texts: list[str],
    *,
    batch_size: int,
    token_budget: int | None = None,
    pool: WorkerPool | None = None,
) -> np.ndarray:
    """Embed `texts` -> float32 (len(texts), dim) in input order (module docstring).

    `batch_size`: most texts per batch. `token_budget`: most padded tokens per batch; None = the
    engine context's (`engine_settings`), else the backend's `token_budget` attribute, else the
    default of the backend's `device` (CPU when it has none). `pool`: run the batches on its
    worker processes instead of in this process.
    """
    if not texts:
        raise ValueError("encode_texts needs at least one text")
    settings = current_settings()
    budget = (token_budget or settings.token_budget or getattr(backend, "token_budget", None)
              or default_token_budget(str(getattr(backend, "device", "cpu"))))
    lengths = np.asarray(backend.token_lengths(texts), dtype=np.int64)
    order = length_order(lengths)
    sorted_texts = [texts[i] for i in order]
    sorted_lengths = lengths[order]
    out: np.ndarray | None = None

    def emit(start: int, end: int, rows: np.ndarray) -> None:
        nonlocal out
        if rows.ndim != 2 or rows.shape[0] != end - start:
            raise ValueError(f"{type(backend).__name__}.forward returned shape {rows.shape} for "
                             f"{end - start} texts")
        if out is None:
            out = np.empty((len(texts), rows.shape[1]), dtype=np.float32)
        out[order[start:end]] = rows
        if settings.on_rows is not None:
            settings.on_rows(end - start)

    if pool is None:
        BatchRunner(backend, budget, batch_size).run(sorted_texts, sorted_lengths, emit)
    else:
        batches = plan_batches(sorted_lengths, budget, batch_size)
        pool.run(sorted_texts, sorted_lengths, batches, (budget, batch_size), emit)
    assert out is not None
    return out
