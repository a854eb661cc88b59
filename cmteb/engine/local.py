"""Running length-sorted batches through one backend in this process, with OOM back-off.

`BatchRunner.run(texts, lengths, emit)` walks longest-first texts with a cursor, taking as many
as fit the current token budget and row cap (`batching.batch_end`). When a forward pass runs out
of memory (torch's CUDA/MPS OOM errors, CPU allocator failures, MemoryError; recognised without
importing torch), the cached GPU blocks are released, the budget and the row cap are halved for
the rest of the runner's life and the same texts are tried again; a single text that does not
fit fails with a clear message. Every batch is handed to `emit` as soon as it is done (the
backend returns host float32 arrays, so nothing stays on the device), inside
`torch.inference_mode` when torch is loaded.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Sequence

import numpy as np

from cmteb.engine.batching import batch_end

log = logging.getLogger("cmteb")

Emit = Callable[[int, int, np.ndarray], None]
_OOM_MESSAGES = ("out of memory", "can't allocate memory", "cannot allocate memory")


class EngineOutOfMemory(RuntimeError):
    """Even a batch of one text ran out of memory."""


def is_out_of_memory(exc: BaseException) -> bool:
    """True for torch's CUDA/MPS OOM errors, CPU allocator failures and MemoryError."""
    if isinstance(exc, MemoryError):
        return True
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(exc, getattr(torch.cuda, "OutOfMemoryError", ())):
        return True
    return isinstance(exc, RuntimeError) and any(m in str(exc).lower() for m in _OOM_MESSAGES)


def release_device_memory() -> None:
    """Return cached GPU blocks to the driver after an OOM (no-op without torch or CUDA)."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def inference_context() -> contextlib.AbstractContextManager[object]:
    """`torch.inference_mode()` when torch is in use, else a no-op."""
    torch = sys.modules.get("torch")
    return torch.inference_mode() if torch is not None else contextlib.nullcontext()


class BatchRunner:
    """Runs a backend's forward over sorted texts; holds the (possibly halved) batch limits."""

    def __init__(self, backend: object, token_budget: int, max_rows: int) -> None:
        self.backend = backend
        self.token_budget = max(int(token_budget), 1)
        self.max_rows = max(int(max_rows), 1)

    def run(self, texts: Sequence[str], lengths: Sequence[int], emit: Emit) -> None:
        """Embed longest-first `texts` (token `lengths` parallel); `emit(start, end, rows)` per
        batch, rows float32 (end - start, dim)."""
        start = 0
        with inference_context():
            while start < len(texts):
                end = batch_end(lengths, start, self.token_budget, self.max_rows)
                try:
                    rows = self.backend.forward(list(texts[start:end]))  # type: ignore[attr-defined]
                except Exception as exc:
                    if not is_out_of_memory(exc):
                        raise
                    self._halve(end - start, int(lengths[start]), exc)
                    continue
                emit(start, end, np.asarray(rows, dtype=np.float32))
                start = end

    def _halve(self, rows: int, longest: int, exc: BaseException) -> None:
        release_device_memory()
        if rows == 1:
            raise EngineOutOfMemory(
                f"out of memory on a single text of {longest} tokens; lower --max-length"
            ) from exc
        self.max_rows = max(1, rows // 2)
        self.token_budget = max(1, min(self.token_budget, rows * longest) // 2)
        log.warning("out of memory on a batch of %d texts x %d tokens; continuing with at most %d texts"
                    " and %d tokens per batch", rows, longest, self.max_rows, self.token_budget)
