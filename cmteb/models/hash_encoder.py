"""A deterministic hash encoder for smoke runs and tests (`--model hash`).

Each text becomes a signed feature-hashing vector of its character unigrams and bigrams
(blake2b, so identical on every machine and process), L2-normalised: texts sharing characters get
a higher cosine. It needs no download and no torch, and its scores are reproducible to the bit.
"""

from __future__ import annotations

import hashlib

import numpy as np

from cmteb.models.contract import Role
from cmteb.tasks.spec import TaskSpec

HASH_DIM = 256


def _features(text: str) -> list[str]:
    return list(text) + [text[i : i + 2] for i in range(len(text) - 1)]


def hash_vector(text: str, dim: int = HASH_DIM) -> np.ndarray:
    """float32 (dim,), unit norm (all-zero for an empty text)."""
    vec = np.zeros(dim, dtype=np.float64)
    for feat in _features(text):
        digest = hashlib.blake2b(feat.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        vec[value % dim] += 1.0 if (value >> 63) & 1 else -1.0
    norm = np.linalg.norm(vec)
    return (vec / norm if norm > 0 else vec).astype(np.float32)


class HashEncoder:
    """Encoder contract implementation; `dim` sets the vector size."""

    def __init__(self, dim: int = HASH_DIM) -> None:
        self.dim = dim

    def encode(self, texts: list[str], *, role: Role, task: TaskSpec, batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([hash_vector(t, self.dim) for t in texts])

    def take_encoding_report(self) -> dict[str, object]:
        """No max length: every character of every text is hashed."""
        return {"truncation": {"max_length": None, "texts_cut": 0, "share_cut": 0.0}}
