"""Pooling, the transformers adapter and the cross-encoder on tiny seeded models."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cmteb.errors import UserError
from cmteb.models.cross_encoder import CrossEncoderScorer, CrossEncoderSettings
from cmteb.models.hf_encoder import HFSettings, TransformersEncoder
from cmteb.models.pooling import pool
from tests.conftest import make_spec
from tests.tiny_models import make_tiny_bert, make_tiny_cross_encoder, make_tiny_st

STS = make_spec("STS")
TEXTS = ["今天天气很好", "我们去公园散步吧，天气不错", "好"]


def test_pooling_by_hand():
    states = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [9.0, 9.0]],
                           [[5.0, 6.0], [7.0, 8.0], [0.5, 0.5]]])
    right = torch.tensor([[1, 1, 0], [1, 1, 1]])
    left = torch.tensor([[0, 1, 1], [1, 1, 1]])
    assert pool(states, right, "cls").tolist() == [[1.0, 2.0], [5.0, 6.0]]
    np.testing.assert_allclose(pool(states, right, "mean").numpy(),
                               [[2.0, 3.0], [(5 + 7 + 0.5) / 3, (6 + 8 + 0.5) / 3]], rtol=1e-6)
    assert pool(states, right, "last").tolist() == [[3.0, 4.0], [0.5, 0.5]]
    assert pool(states, left, "last").tolist() == [[9.0, 9.0], [0.5, 0.5]]
    with pytest.raises(ValueError, match="unknown pooling"):
        pool(states, right, "max")


@pytest.fixture(scope="module")
def tiny_st(tmp_path_factory):
    return make_tiny_st(tmp_path_factory.mktemp("m") / "tiny-st")


def test_transformers_mean_pooling_equals_sentence_transformers(tiny_st):
    from sentence_transformers import SentenceTransformer

    ours = TransformersEncoder(str(tiny_st), HFSettings(pooling="mean")).encode(
        TEXTS, role="symmetric", task=STS, batch_size=2)
    theirs = SentenceTransformer(str(tiny_st), device="cpu").encode(TEXTS)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    assert ours.dtype == np.float32


def _reference(folder, texts, pooling):
    """Each text alone (no padding at all), pooled by hand, L2-normalised."""
    from transformers import AutoModel, AutoTokenizer

    tok, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
    rows = []
    for text in texts:
        with torch.inference_mode():
            states = model(**tok([text], return_tensors="pt")).last_hidden_state[0]
        vec = states[0] if pooling == "cls" else states[-1]
        rows.append((vec / vec.norm()).numpy())
    return np.stack(rows)


@pytest.mark.parametrize("pooling", ["cls", "last"])
def test_cls_and_last_pooling_match_unpadded_reference(tiny_st, pooling):
    enc = TransformersEncoder(str(tiny_st), HFSettings(pooling=pooling))
    if pooling == "last":
        assert enc.backend.tokenizer.padding_side == "left"
    got = enc.encode(TEXTS, role="symmetric", task=STS, batch_size=3)  # one padded batch
    np.testing.assert_allclose(got, _reference(str(tiny_st), TEXTS, pooling), atol=1e-5)


def test_max_length_truncation_is_counted_and_bf16_runs(tmp_path):
    folder = make_tiny_bert(tmp_path / "bert")
    enc = TransformersEncoder(str(folder), HFSettings(pooling="mean", max_length=6, normalize=False))
    enc.encode(["短", "这是一个比较长的句子"], role="symmetric", task=STS, batch_size=2)
    report = enc.take_encoding_report()["truncation"]
    assert report == {"max_length": 6, "texts": 2, "texts_cut": 1, "share_cut": 0.5}
    assert enc.take_encoding_report()["truncation"]["texts"] == 0
    assert enc.backend.token_lengths(["这是一个比较长的句子"]) == [6]
    fp32 = TransformersEncoder(str(folder), HFSettings(pooling="mean")).encode(
        TEXTS, role="symmetric", task=STS, batch_size=2)
    bf16 = TransformersEncoder(str(folder), HFSettings(pooling="mean", dtype="bf16")).encode(
        TEXTS, role="symmetric", task=STS, batch_size=2)
    assert bf16.dtype == np.float32 and np.abs(bf16 - fp32).max() < 0.05


def test_append_eos_survives_truncation(tmp_path):
    folder = make_tiny_bert(tmp_path / "bert")
    enc = TransformersEncoder(str(folder), HFSettings(pooling="last", max_length=5, append_eos=True))
    tok = enc.backend.tokenizer
    tok.eos_token = "[SEP]"
    ids = enc.backend._ids(["这是一个比较长的句子", "好"])
    assert [len(r) for r in ids] == [5, 4] and all(r[-1] == tok.eos_token_id for r in ids)
    assert enc.backend.token_lengths(["这是一个比较长的句子", "好", "你好"]) == [5, 4, 5]


def test_cross_encoder_scores_are_the_raw_logits_of_each_pair(tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = make_tiny_cross_encoder(tmp_path / "ce")
    pairs = [("天气怎么样", "今天天气很好"), ("天气怎么样", "股票下跌"), ("你好", "好")]
    scorer = CrossEncoderScorer(str(folder), CrossEncoderSettings(max_length=8))
    got = scorer.predict(pairs, task=make_spec("Reranking"), batch_size=2)
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    with torch.inference_mode():
        want = [model(**tok(q, p, truncation=True, max_length=8, return_tensors="pt")).logits[0, 0].item()
                for q, p in pairs]
    np.testing.assert_allclose(got, want, atol=1e-5)
    # [CLS] q [SEP] p [SEP]: 3 + 5 + 6 = 14 and 3 + 5 + 4 = 12 tokens exceed 8; 3 + 2 + 1 = 6 does not
    assert scorer.take_encoding_report()["truncation"]["texts_cut"] == 2
    joined = [q + "\x1f" + p for q, p in pairs]
    cut = tok([q for q, _ in pairs], [p for _, p in pairs], truncation=True, max_length=8)["input_ids"]
    assert scorer.backend.token_lengths(joined) == [len(r) for r in cut] == [8, 8, 6]


def test_cross_encoder_with_two_labels_is_refused(tmp_path):
    from transformers import BertForSequenceClassification

    folder = make_tiny_cross_encoder(tmp_path / "ce2")
    model = BertForSequenceClassification.from_pretrained(folder, num_labels=2,
                                                          ignore_mismatched_sizes=True)
    model.save_pretrained(folder)
    with pytest.raises(UserError, match="one output label"):
        CrossEncoderScorer(str(folder), CrossEncoderSettings())
