"""Recognising out-of-memory failures of a forward pass, without importing torch."""

from __future__ import annotations

import sys

_OOM_MESSAGES = ("out of memory", "can't allocate memory", "cannot allocate memory")


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
