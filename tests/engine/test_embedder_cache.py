"""TaskEmbedder: dedupe within a call, across tasks (shared store), cache hits, recomputation."""

from __future__ import annotations

import numpy as np
import pytest

from cmteb.engine.cache import EmbeddingCache
from cmteb.errors import TaskError
from cmteb.models.cached_call import dedupe
from cmteb.models.embedder import TaskEmbedder
from cmteb.models.policy import TextPolicy
from tests.conftest import RecordingEncoder, make_spec

E5 = TextPolicy(query_prefix="query: ", passage_prefix="passage: ")
IDENTITY = {"name": "fake", "revision": "1"}


def test_dedupe_keeps_first_seen_order_and_maps_back():
    texts = ["b", "a", "b", "c", "a", "b"]
    unique, inverse = dedupe(texts)
    assert unique == ["b", "a", "c"]
    assert [unique[i] for i in inverse] == texts


def test_each_distinct_model_input_is_encoded_once_and_rows_follow_the_input():
    enc = RecordingEncoder()
    embed = TaskEmbedder(enc, E5, make_spec("STS"))
    texts = ["b", "a", "b", "c", "a"]
    out = embed(texts, "symmetric")
    assert enc.calls[0][2] == ["query: b", "query: a", "query: c"]
    np.testing.assert_array_equal(out, RecordingEncoder().encode(
        [f"query: {t}" for t in texts], role="symmetric", task=make_spec("STS"), batch_size=1))
    assert (embed.stats.texts, embed.stats.unique_texts, embed.stats.encoded) == (5, 3, 3)


def test_texts_shared_by_two_tasks_are_encoded_once(tmp_path):
    store = EmbeddingCache(tmp_path, IDENTITY)
    enc = RecordingEncoder()
    sts = TaskEmbedder(enc, E5, make_spec("STS"), store=store)
    clf = TaskEmbedder(enc, E5, make_spec("Classification"), store=store)
    first = sts(["甲", "乙", "丙"], "symmetric")
    second = clf(["乙", "丁", "甲"], "symmetric")
    assert [c[2] for c in enc.calls] == [["query: 甲", "query: 乙", "query: 丙"], ["query: 丁"]]
    np.testing.assert_array_equal(second[[0, 2]], first[[1, 0]])
    assert (clf.stats.cache_hits, clf.stats.encoded) == (2, 1)


def test_second_run_encodes_nothing_and_gives_identical_rows(tmp_path):
    texts = [f"句子{i}" for i in range(50)]
    first = TaskEmbedder(RecordingEncoder(), E5, make_spec("STS"), store=EmbeddingCache(tmp_path, IDENTITY))
    ref = first(texts, "symmetric")
    enc = RecordingEncoder()
    again = TaskEmbedder(enc, E5, make_spec("STS"), store=EmbeddingCache(tmp_path, IDENTITY))
    np.testing.assert_array_equal(again(texts, "symmetric"), ref)
    assert enc.calls == [] and again.stats.cache_hits == 50


def test_a_changed_instruction_misses(tmp_path):
    spec = make_spec("Retrieval")
    TaskEmbedder(RecordingEncoder(), TextPolicy(query_instruction="A："), spec,
                 store=EmbeddingCache(tmp_path, IDENTITY))(["q"], "query")
    enc = RecordingEncoder()
    TaskEmbedder(enc, TextPolicy(query_instruction="B："), spec,
                 store=EmbeddingCache(tmp_path, IDENTITY))(["q"], "query")
    assert enc.calls[0][2] == ["B：q"]


def test_a_corrupt_cache_entry_is_recomputed(tmp_path):
    texts = [f"t{i}" for i in range(8)]
    ref = TaskEmbedder(RecordingEncoder(), E5, make_spec("STS"),
                       store=EmbeddingCache(tmp_path, IDENTITY))(texts, "symmetric")
    (chunk,) = EmbeddingCache(tmp_path, IDENTITY).folder.glob("*.emb")
    data = bytearray(chunk.read_bytes())
    data[-1] ^= 0x01
    chunk.write_bytes(bytes(data))
    enc = RecordingEncoder()
    store = EmbeddingCache(tmp_path, IDENTITY)
    out = TaskEmbedder(enc, E5, make_spec("STS"), store=store)(texts, "symmetric")
    np.testing.assert_array_equal(out, ref)
    assert len(enc.calls[0][2]) == 8
    assert TaskEmbedder(RecordingEncoder(), E5, make_spec("STS"),
                        store=EmbeddingCache(tmp_path, IDENTITY))(texts, "symmetric").shape == (8, 8)


def test_bad_rows_are_never_stored(tmp_path):
    class NaNEncoder:
        def encode(self, texts, *, role, task, batch_size):
            return np.full((len(texts), 4), np.nan, dtype=np.float32)

    store = EmbeddingCache(tmp_path, IDENTITY)
    with pytest.raises(TaskError, match="NaN"):
        TaskEmbedder(NaNEncoder(), E5, make_spec("STS"), store=store)(["x"], "symmetric")
    assert not store.lookup(["query: x"])[0].any()


def test_segments_are_stored_as_they_finish(tmp_path, monkeypatch):
    import cmteb.models.cached_call as cached_call

    monkeypatch.setattr(cached_call, "SEGMENT_ROWS", 3)

    class StopsAfterTwoCalls(RecordingEncoder):
        def encode(self, texts, **kw):
            if len(self.calls) == 2:
                raise KeyboardInterrupt
            return super().encode(texts, **kw)

    store = EmbeddingCache(tmp_path, IDENTITY)
    texts = [f"t{i}" for i in range(8)]
    with pytest.raises(KeyboardInterrupt):
        TaskEmbedder(StopsAfterTwoCalls(), E5, make_spec("STS"), store=store)(texts, "symmetric")
    enc = RecordingEncoder()
    TaskEmbedder(enc, E5, make_spec("STS"), store=EmbeddingCache(tmp_path, IDENTITY))(texts, "symmetric")
    assert enc.calls[0][2] == ["query: t6", "query: t7"]  # resumed after the 6 stored texts
