"""Cross-encoder pair scores in the store: cached pairs never reach (nor load) the model."""

from __future__ import annotations

import numpy as np

from cmteb.engine.cache import EmbeddingCache
from cmteb.models.embedder import LazyAdapter
from cmteb.models.pair_scorer import TaskPairScorer, pair_key
from cmteb.models.policy import TextPolicy
from tests.conftest import make_spec

RERANKING = make_spec("Reranking")


class RecordingScorer:
    def __init__(self) -> None:
        self.calls: list[list[tuple[str, str]]] = []

    def predict(self, pairs, *, task, batch_size):
        self.calls.append(list(pairs))
        return np.asarray([len(q) * 10 + len(p) + 0.5 for q, p in pairs], dtype=np.float32)


def test_cached_pairs_are_read_back_exactly_and_the_model_loads_only_for_a_miss(tmp_path):
    store = EmbeddingCache(tmp_path, {"test": "pair scores"})
    model = RecordingScorer()
    first = TaskPairScorer(model, TextPolicy(query_prefix="Q: "), RERANKING, store=store)
    scores = first(["甲", "甲", "乙乙"], ["天", "天", "地地地"])
    assert model.calls == [[("Q: 甲", "天"), ("Q: 乙乙", "地地地")]]
    # 10 x len("Q: 甲") + len("天") + 0.5 = 41.5; 10 x len("Q: 乙乙") + len("地地地") + 0.5 = 53.5
    np.testing.assert_array_equal(scores, np.float32([41.5, 41.5, 53.5]))

    loads: list[int] = []

    def load():
        loads.append(1)
        return model

    second = TaskPairScorer(LazyAdapter(load), TextPolicy(query_prefix="Q: "), RERANKING, store=store)
    np.testing.assert_array_equal(second(["乙乙", "甲"], ["地地地", "天"]), scores[[2, 0]])
    assert loads == [] and (second.stats.cache_hits, second.stats.encoded) == (2, 0)
    second(["甲"], ["地地地"])
    assert loads == [1] and model.calls[-1] == [("Q: 甲", "地地地")] and second.stats.encoded == 1


def test_pair_keys_cannot_collide_by_moving_the_boundary():
    assert pair_key(("ab", "c")) != pair_key(("a", "bc"))
    assert pair_key(("a\\", "b")) != pair_key(("a", "\\b"))
