"""The on-disk embedding cache: keys, round trip, sharing, corrupt and truncated chunks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from cmteb.engine import cache as cache_mod
from cmteb.engine.cache import EmbeddingCache, namespace_of
from cmteb.engine.chunk_file import text_keys
from cmteb.models.embed_store import cache_identity, model_store
from cmteb.models.policy import TextPolicy
from cmteb.models.types import NO_REVISION, ResolvedModel
from tests.conftest import make_spec
from tests.engine.fakes import expected

IDENTITY = {"format": 1, "name": "m", "revision": "r1", "adapter": "transformers",
            "settings": {"pooling": "mean", "normalize": True, "max_length": 512, "dtype": "fp32"}}
TEXTS = [f"query: 句子{i}" for i in range(10)]


def model(**changes) -> ResolvedModel:
    base = ResolvedModel(name="org/m", revision="abc123", policy=TextPolicy(), adapter="transformers",
                         settings=dict(IDENTITY["settings"]), factory=lambda: None)
    return replace(base, **changes)


@pytest.mark.parametrize("change", [
    {"name": "org/other"}, {"revision": "def456"}, {"adapter": "sentence-transformers"},
    {"settings": {**IDENTITY["settings"], "pooling": "cls"}},
    {"settings": {**IDENTITY["settings"], "max_length": 256}},
    {"settings": {**IDENTITY["settings"], "dtype": "bf16"}},
    {"settings": {**IDENTITY["settings"], "normalize": False}},
])
def test_every_model_setting_changes_the_namespace(change):
    assert namespace_of(cache_identity(model(**change))) != namespace_of(cache_identity(model()))


def test_prefix_and_instruction_change_the_text_key():
    spec = make_spec("Retrieval")
    plain = TextPolicy().format(["天气"], "query", spec)
    prefixed = TextPolicy(query_prefix="query: ").format(["天气"], "query", spec)
    instructed = TextPolicy(query_instruction="为这个句子生成表示：").format(["天气"], "query", spec)
    keys = text_keys(plain + prefixed + instructed)
    assert len(set(keys.tolist())) == 3


def test_models_without_a_stable_identity_are_not_cached_on_disk():
    assert cache_identity(model(revision=NO_REVISION)) is None
    assert cache_identity(model(adapter="python-object")) is None
    assert cache_identity(model(adapter="hash")) is None


def test_round_trip_exact_and_misses_found(tmp_path):
    cache = EmbeddingCache(tmp_path, IDENTITY)
    cache.store(TEXTS[:6], expected(TEXTS[:6]))
    found, rows = cache.lookup(TEXTS[::-1])
    assert found.tolist() == [False] * 4 + [True] * 6
    np.testing.assert_array_equal(rows, expected(TEXTS[::-1][4:]))
    assert (tmp_path / "v1" / namespace_of(IDENTITY) / "identity.json").is_file()


def test_another_process_chunks_are_seen_and_other_models_are_not(tmp_path):
    writer, reader = EmbeddingCache(tmp_path, IDENTITY), EmbeddingCache(tmp_path, IDENTITY)
    assert not reader.lookup(TEXTS)[0].any()
    writer.store(TEXTS, expected(TEXTS))
    assert reader.lookup(TEXTS)[0].all()  # written after the reader first looked
    other = EmbeddingCache(tmp_path, {**IDENTITY, "revision": "r2"})
    assert not other.lookup(TEXTS)[0].any()


def test_chunks_hold_at_most_chunk_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_mod, "CHUNK_ROWS", 4)
    cache = EmbeddingCache(tmp_path, IDENTITY)
    cache.store(TEXTS, expected(TEXTS))
    assert len(list(cache.folder.glob("*.emb"))) == 3
    assert EmbeddingCache(tmp_path, IDENTITY).lookup(TEXTS)[0].all()


def _only_chunk(cache: EmbeddingCache):
    (path,) = cache.folder.glob("*.emb")
    return path


def test_a_corrupt_chunk_is_detected_dropped_and_missed(tmp_path, caplog):
    EmbeddingCache(tmp_path, IDENTITY).store(TEXTS, expected(TEXTS))
    cache = EmbeddingCache(tmp_path, IDENTITY)
    path = _only_chunk(cache)
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF  # one flipped byte in the last row
    path.write_bytes(bytes(data))
    found, rows = cache.lookup(TEXTS)
    assert not found.any() and rows is None
    assert caplog.text.count("dropping unreadable chunk") == 1 and not path.exists()


def test_a_truncated_chunk_is_detected_at_indexing(tmp_path, caplog):
    EmbeddingCache(tmp_path, IDENTITY).store(TEXTS, expected(TEXTS))
    cache = EmbeddingCache(tmp_path, IDENTITY)
    path = _only_chunk(cache)
    path.write_bytes(path.read_bytes()[:-10])
    assert not cache.lookup(TEXTS)[0].any()
    assert caplog.text.count("dropping unreadable chunk") == 1 and not path.exists()


def test_a_failing_write_turns_storing_off_with_a_warning(tmp_path, monkeypatch, caplog):
    def disk_full(*args):
        raise OSError(28, "No space left on device")

    cache = EmbeddingCache(tmp_path, IDENTITY)
    monkeypatch.setattr(cache_mod, "write_chunk", disk_full)
    cache.store(TEXTS, expected(TEXTS))
    assert not cache.writable and "No space left" in caplog.text
    assert not cache.lookup(TEXTS)[0].any()


def test_a_killed_writer_temp_file_is_removed_once_stale_and_a_live_one_is_kept(tmp_path):
    import os
    import time

    from cmteb.engine.chunk_file import STALE_TEMP_SECONDS

    folder = EmbeddingCache(tmp_path, IDENTITY).folder
    stale, live = folder / ".c0ffee.emb.killed.tmp", folder / ".c0ffee.emb.writing.tmp"
    stale.write_bytes(b"half a chunk")
    live.write_bytes(b"being written")
    old = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    EmbeddingCache(tmp_path, IDENTITY)
    assert not stale.exists() and live.exists()


def test_run_scoped_store_is_removed_after_the_run(tmp_path):
    with model_store(model(adapter="python-object"), cache_dir=tmp_path, use_cache=True) as store:
        store.store(TEXTS, expected(TEXTS))
        folder = store.folder
        assert folder.is_dir() and not str(folder).startswith(str(tmp_path))
    assert not folder.exists()
    with model_store(model(), cache_dir=tmp_path, use_cache=False) as store:
        assert not str(store.folder).startswith(str(tmp_path))


def test_concurrent_writers_share_one_cache(tmp_path, caplog):
    import multiprocessing as mp

    from tests.engine.fakes import store_rows

    texts = [f"passage: 文本{i}" for i in range(300)]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=store_rows, args=(str(tmp_path), IDENTITY, texts[i * 100 : i * 100 + 200], 3))
             for i in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    cache = EmbeddingCache(tmp_path, IDENTITY)
    found, rows = cache.lookup(texts)
    assert found.sum() == 300 and "dropping unreadable chunk" not in caplog.text
    np.testing.assert_array_equal(rows, expected(texts))
    assert not list(cache.folder.glob(".tmp-*"))
