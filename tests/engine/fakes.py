"""Deterministic TokenBackends for engine tests (importable by spawned worker processes).

A text's "token length" is its character count; its embedding is a seeded vector of the text,
so any batching must reproduce `expected(texts)` exactly, row for row.
"""

from __future__ import annotations

import hashlib
import os

import numpy as np

DIM = 4


def vector(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)


def expected(texts: list[str]) -> np.ndarray:
    return np.stack([vector(t) for t in texts]).astype(np.float32)


class FakeBackend:
    """Records each batch; raises an OOM RuntimeError when rows x longest > `memory_tokens`."""

    def __init__(self, memory_tokens: int | None = None) -> None:
        self.memory_tokens = memory_tokens
        self.batches: list[list[str]] = []
        self.ooms = 0

    def token_lengths(self, texts: list[str]) -> list[int]:
        return [len(t) for t in texts]

    def forward(self, texts: list[str]) -> np.ndarray:
        padded = len(texts) * max(len(t) for t in texts)
        if self.memory_tokens is not None and padded > self.memory_tokens:
            self.ooms += 1
            raise RuntimeError(f"CUDA out of memory. Tried to allocate {padded} tokens")
        self.batches.append(list(texts))
        return expected(texts)


class FailingBackend(FakeBackend):
    """Raises ValueError on the text "explode"; hard-exits the process on the text "die"."""

    def forward(self, texts: list[str]) -> np.ndarray:
        if "die" in texts:
            os._exit(3)
        if "explode" in texts:
            raise ValueError("boom: cannot embed 'explode'")
        return super().forward(texts)


def make_fake(device: str) -> FakeBackend:
    return FakeBackend()


def make_failing(device: str) -> FailingBackend:
    return FailingBackend()


def make_broken_at_load(device: str) -> FakeBackend:
    raise OSError(f"cannot load the model on {device}")


def store_rows(cache_root: str, identity: dict, texts: list[str], rounds: int) -> None:
    """Worker of the concurrent-writers test: store `texts` `rounds` times, then look them up."""
    from pathlib import Path

    from cmteb.engine.cache import EmbeddingCache

    for _ in range(rounds):
        cache = EmbeddingCache(Path(cache_root), identity)
        cache.store(texts, expected(texts))
        found, rows = cache.lookup(texts)
        assert found.all() and np.array_equal(rows, expected(texts))
