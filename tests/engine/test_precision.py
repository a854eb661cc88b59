"""Half precision is mixed precision (cmteb.engine.precision): linear weights in the half dtype,
layer norms and embeddings in float32, output close to the float32 model's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cmteb.models.cross_encoder import PAIR_SEP, CrossEncoderBackend, CrossEncoderSettings
from cmteb.models.hf_encoder import HFSettings, TransformersBackend
from cmteb.models.st_encoder import STModelSpec
from tests.tiny_models import make_tiny_cross_encoder, make_tiny_st

TEXTS = ["今天天气很好", "我们去公园散步吧，天气不错", "好"]


@pytest.fixture(scope="module")
def tiny_st(tmp_path_factory):
    return make_tiny_st(tmp_path_factory.mktemp("m") / "tiny-st")


def _param_dtypes(model: torch.nn.Module) -> tuple[set[torch.dtype], set[torch.dtype]]:
    linear = {p.dtype for m in model.modules() if isinstance(m, torch.nn.Linear) for p in m.parameters()}
    norms = {p.dtype for m in model.modules() if isinstance(m, torch.nn.LayerNorm) for p in m.parameters()}
    return linear, norms


@pytest.mark.parametrize("dtype", ["bf16", "fp16"])
def test_transformers_half_precision_casts_only_linear_layers(tiny_st, dtype):
    half = TransformersBackend(str(tiny_st), HFSettings(pooling="mean", dtype=dtype))
    full = TransformersBackend(str(tiny_st), HFSettings(pooling="mean"))
    want = torch.bfloat16 if dtype == "bf16" else torch.float16
    assert _param_dtypes(half.model) == ({want}, {torch.float32})
    assert _param_dtypes(full.model) == ({torch.float32}, {torch.float32})
    ours, ref = half.forward(TEXTS), full.forward(TEXTS)
    assert ours.dtype == np.float32 and ours.shape == ref.shape
    # unit vectors: bf16 keeps ~3 significant digits, so the cosine with fp32 stays near 1
    assert np.min(np.sum(ours * ref, axis=1)) > 0.99


def test_sentence_transformers_half_precision(tiny_st):
    half, full = STModelSpec(str(tiny_st), dtype="bf16").load("cpu"), STModelSpec(str(tiny_st)).load("cpu")
    assert _param_dtypes(half.model) == ({torch.bfloat16}, {torch.float32})
    ours, ref = half.forward(TEXTS), full.forward(TEXTS)
    assert ours.dtype == np.float32
    assert np.min(np.sum(ours * ref, axis=1)) > 0.99


def test_cross_encoder_half_precision(tmp_path):
    folder = make_tiny_cross_encoder(tmp_path / "ce")
    half = CrossEncoderBackend(str(folder), CrossEncoderSettings(dtype="bf16"))
    full = CrossEncoderBackend(str(folder), CrossEncoderSettings())
    assert _param_dtypes(half.model)[0] == {torch.bfloat16}
    pairs = [f"今天天气很好{PAIR_SEP}天气不错", f"好{PAIR_SEP}不好"]
    ours, ref = half.forward(pairs), full.forward(pairs)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, ref, atol=0.05)
