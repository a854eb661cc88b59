"""The contract between model adapters and the encoding engine.

An adapter that owns a tokenizer and a forward pass implements `TokenBackend`; the engine decides
how texts are grouped into batches (`encode_texts`). Policy: output rows are in input order,
float32 (n, dim), moved off the device batch by batch.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class TokenBackend(Protocol):
    def token_lengths(self, texts: list[str]) -> list[int]:
        """Tokens per text after truncation at the model's max length, special tokens included."""
        ...

    def forward(self, texts: list[str]) -> np.ndarray:
        """Embed one batch: float32 (len(texts), dim)."""
        ...


def encode_texts(backend: TokenBackend, texts: list[str], *, batch_size: int) -> np.ndarray:
    """Embed `texts` in batches of `batch_size`, in input order. (Token-budget batching: issue 9.)"""
    if not texts:
        raise ValueError("encode_texts needs at least one text")
    parts = [backend.forward(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
    return np.concatenate(parts).astype(np.float32, copy=False)
