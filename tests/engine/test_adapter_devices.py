"""Every torch adapter runs on several devices the same way: one worker process per device with
its own model copy, the tokenizer alone in this process. CPU workers stand in for two GPUs."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from cmteb.models.cross_encoder import PAIR_SEP, CrossEncoderScorer, CrossEncoderSettings
from cmteb.models.hf_encoder import HFSettings, TransformersEncoder
from tests.conftest import make_spec
from tests.tiny_models import make_tiny_bert, make_tiny_cross_encoder

TEXTS = ["今天天气很好", "股票市场下跌了很多", "你好", "我们去学校学习中文和数学吧"] * 4
PAIRS = [("天气怎么样", t) for t in TEXTS]


@pytest.mark.slow
def test_transformers_on_two_workers_equals_one_process(tmp_path):
    folder = str(make_tiny_bert(tmp_path / "bert"))
    settings = HFSettings(pooling="last", max_length=12)  # left padding: the hardest case
    kw = {"role": "symmetric", "task": make_spec("STS"), "batch_size": 3}
    single = TransformersEncoder(folder, settings)
    multi = TransformersEncoder(folder, settings, devices=["cpu", "cpu"])
    try:
        assert not hasattr(multi.backend, "model")  # this process holds the tokenizer only
        assert multi.backend.token_lengths(TEXTS) == single.backend.token_lengths(TEXTS)
        np.testing.assert_allclose(multi.encode(TEXTS, **kw), single.encode(TEXTS, **kw), atol=1e-6)
        assert multi.take_encoding_report() == single.take_encoding_report()
    finally:
        multi.placement.close()


def test_cross_encoder_pool_parts_without_starting_workers(tmp_path):
    """What a cross-encoder pool needs (the workers themselves are the transformers test's):
    a tokenizer-only backend with the model's token lengths, and a picklable loader."""
    from functools import partial

    from cmteb.models.cross_encoder import CrossEncoderBackend, load_backend

    folder = str(make_tiny_cross_encoder(tmp_path / "ce"))
    settings = CrossEncoderSettings(max_length=10)
    joined = [q + PAIR_SEP + p for q, p in PAIRS]
    full = CrossEncoderScorer(folder, settings).backend
    counter = CrossEncoderBackend(folder, settings, with_model=False)
    assert not hasattr(counter, "model")
    assert counter.token_lengths(joined) == full.token_lengths(joined)
    loaded = pickle.loads(pickle.dumps(partial(load_backend, folder, settings)))("cpu")
    np.testing.assert_array_equal(loaded.forward(joined[:3]), full.forward(joined[:3]))
