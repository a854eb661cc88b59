"""The sentence-transformers adapter on the engine (tiny real model written by the test)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cmteb.models.st_encoder import SentenceTransformerBackend, SentenceTransformerEncoder
from tests.conftest import make_spec
from tests.tiny_models import make_tiny_st

TEXTS = ["今天天气很好", "股票市场下跌了很多", "你好", "今天天气很好", "我们去学校学习中文和数学吧"] * 3


@pytest.fixture(scope="module")
def tiny_st(tmp_path_factory):
    return make_tiny_st(tmp_path_factory.mktemp("models") / "tiny-st")


def test_engine_rows_equal_sentence_transformers_own_encode(tiny_st):
    from sentence_transformers import SentenceTransformer

    ours = SentenceTransformerEncoder(str(tiny_st)).encode(TEXTS, role="symmetric", task=make_spec("STS"),
                                                          batch_size=4)
    theirs = SentenceTransformer(str(tiny_st), device="cpu").encode(TEXTS, batch_size=4,
                                                                   normalize_embeddings=True)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_bf16_stays_close_to_fp32(tiny_st):
    kw = {"role": "symmetric", "task": make_spec("STS"), "batch_size": 8}
    fp32 = SentenceTransformerEncoder(str(tiny_st)).encode(TEXTS, **kw)
    bf16 = SentenceTransformerEncoder(str(tiny_st), dtype="bf16").encode(TEXTS, **kw)
    assert bf16.dtype == np.float32
    cos = (fp32 * bf16).sum(axis=1)
    assert cos.min() > 0.99


def test_token_lengths_are_truncated_at_max_length(tiny_st):
    enc = SentenceTransformerEncoder(str(tiny_st), max_length=8)
    texts = ["你好", "很" * 50, "今天天气", "今天天气很好啊"]
    cut = enc.backend.tokenizer(texts, truncation=True, max_length=8)["input_ids"]
    assert enc.backend.token_lengths(texts) == [len(r) for r in cut] == [4, 8, 6, 8]
    enc.encode(texts[:2], role="symmetric", task=make_spec("STS"), batch_size=2)
    # cut: "很" * 50 (52 tokens) twice and 今天天气很好啊 (9 tokens) once, of 6 texts counted
    assert enc.take_encoding_report()["truncation"] == {"max_length": 8, "texts": 6, "texts_cut": 3,
                                                        "share_cut": 0.5}
    assert enc.take_encoding_report()["truncation"]["texts"] == 0


@pytest.mark.slow
def test_two_cpu_workers_stand_in_for_two_gpus(tiny_st):
    single = SentenceTransformerEncoder(str(tiny_st))
    multi = SentenceTransformerEncoder(str(tiny_st), devices=["cpu", "cpu"])
    try:
        kw = {"role": "symmetric", "task": make_spec("STS"), "batch_size": 2}
        np.testing.assert_allclose(multi.encode(TEXTS, **kw), single.encode(TEXTS, **kw), atol=1e-6)
    finally:
        multi.close()


def _run(tiny_st, tmp_path, out: str, *extra: str):
    from cmteb.cli import main

    code = main(["run", "--model", str(tiny_st), "--tasks", "DemoSTS,DemoClassification",
                 "--output-dir", str(tmp_path / out), "--cache-dir", str(tmp_path / "cache"),
                 "--no-progress", *extra])
    assert code == 0
    return {p.stem: json.loads(p.read_text()) for p in (tmp_path / out).rglob("Demo*.json")
            if not p.name.endswith(".samples.json")}


def test_second_run_does_no_forward_and_scores_are_identical(tiny_st, tmp_path, monkeypatch):
    first = _run(tiny_st, tmp_path, "a")
    calls = []
    original = SentenceTransformerBackend.forward
    monkeypatch.setattr(SentenceTransformerBackend, "forward",
                        lambda self, texts: calls.append(len(texts)) or original(self, texts))
    second = _run(tiny_st, tmp_path, "b")
    assert calls == []
    for task, doc in second.items():
        assert doc["scores"] == first[task]["scores"]
        assert doc["cmteb"]["encoding"]["encoded"] == 0
        assert doc["cmteb"]["encoding"]["cache_hits"] > 0
        assert doc["cmteb"]["encoding"]["dtype"] == "fp32"
    third = _run(tiny_st, tmp_path, "c", "--revision", "v2")
    assert calls and all(d["cmteb"]["encoding"]["cache_hits"] == 0 for d in third.values())


def test_no_cache_writes_nothing_to_the_cache_dir(tiny_st, tmp_path):
    _run(tiny_st, tmp_path, "a", "--no-cache")
    assert not (tmp_path / "cache").exists()
