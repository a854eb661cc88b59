"""Encoders whose scores are undefined, for `--model tests.hostile.odd_models:<Class>`."""

from __future__ import annotations

import numpy as np

from cmteb.models.hash_encoder import HashEncoder


class ConstantVectors:
    """The same unit vector for every text: every similarity is equal."""

    def encode(self, texts, *, role, task, batch_size):
        out = np.zeros((len(texts), 8), dtype=np.float32)
        out[:, 0] = 1.0
        return out


class ScaledHash(HashEncoder):
    """Hash vectors scaled by text length: cosine varies, so STS is defined."""

    def encode(self, texts, *, role, task, batch_size):
        out = super().encode(texts, role=role, task=task, batch_size=batch_size)
        return out * np.array([[1.0 + len(t)] for t in texts], dtype=np.float32)
