"""`cmteb run` end to end with tiny real checkpoints: a random cross-encoder on reranking and as a
second stage, and a hub model found in the local cache, stored under its commit."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_run_cli import cmteb
from tests.tiny_models import make_tiny_cross_encoder, make_tiny_st


@pytest.mark.slow
def test_a_tiny_random_cross_encoder_reranks_and_runs_as_a_second_stage(tmp_path):
    folder = make_tiny_cross_encoder(tmp_path / "tiny-ce")
    out = tmp_path / "results"
    proc = cmteb("run", "--model", str(folder), "--tasks", "DemoReranking,DemoRetrieval",
                 "--first-stage", "hash", "--rerank-top-k", "10", "--output-dir", str(out))
    assert proc.returncode == 0, proc.stderr
    ce = next((out / "tiny-ce").iterdir())
    assert ce.name.startswith("local-")
    rerank = json.loads((ce / "DemoReranking.json").read_text())
    retrieval = json.loads((ce / "DemoRetrieval.json").read_text())
    assert rerank["cmteb"]["model"]["adapter"] == "cross-encoder"
    assert 0 <= rerank["scores"]["dev"][0]["map"] <= 1 and "mrr_at_10" in rerank["scores"]["dev"][0]
    assert retrieval["cmteb"]["model_settings"]["first_stage"]["model"] == "hash"
    truncation = retrieval["cmteb"]["encoding"]["truncation"]
    assert truncation["max_length"] == 512 and truncation["texts"] > 0
    assert (out / "hash" / "hash-v1" / "DemoRetrieval.run.json.gz").is_file()


@pytest.mark.slow
def test_a_cached_hub_model_is_stored_under_its_commit(tmp_path):
    commit = "89abcdef0123456789abcdef0123456789abcdef"
    repo = tmp_path / "hub" / "models--someone--tiny-st"
    make_tiny_st(repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    out = tmp_path / "results"
    proc = cmteb("run", "--model", "someone/tiny-st", "--tasks", "DemoSTS", "--output-dir", str(out),
                 env={"HF_HUB_CACHE": str(tmp_path / "hub")})
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "someone__tiny-st" / commit / "DemoSTS.json").read_text())
    assert doc["cmteb"]["model"] == {"name": "someone/tiny-st", "revision": commit,
                                     "adapter": "sentence-transformers"}
    assert doc["cmteb"]["encoding"]["truncation"]["max_length"] == 128


def test_unknown_hub_model_offline_exits_2_naming_registered_models(tmp_path):
    # (a typo of a registered name: BAAI/bge-small-zh itself is in the pinned mteb's metadata)
    proc = cmteb("run", "--model", "BAAI/bge-smal-zh", "--tasks", "DemoSTS", "--output-dir",
                 str(tmp_path), env={"HF_HUB_CACHE": str(tmp_path / "empty")})
    assert proc.returncode == 2
    assert "did you mean: BAAI/bge-small-zh-v1.5" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_models_command_json():
    proc = cmteb("models", "--format", "json")
    assert proc.returncode == 0
    names = {row["name"] for row in json.loads(proc.stdout)}
    assert {"BAAI/bge-large-zh-v1.5", "bm25", "BAAI/bge-reranker-v2-m3"} <= names
