"""Models the pinned mteb describes: the mapping to cmteb's settings, checked against mteb's own
instruction handling on the same task metadata, the refusals, and `cmteb run` on a checkpoint laid
out in an offline Hugging Face cache under an mteb-only model's name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import huggingface_hub
import pytest

from cmteb.errors import UserError
from cmteb.models.mteb_models import model_facts, mteb_model, mteb_model_meta
from cmteb.models.registry import find_entry
from cmteb.models.resolve import resolve_model
from cmteb.models.types import ModelOptions, apply_policy_overrides
from cmteb.tasks.registry import TaskRegistry
from tests.tiny_models import make_tiny_st

CONAN = "TencentBAC/Conan-embedding-v1"
KALM = "KaLM-Embedding/KaLM-embedding-multilingual-mini-instruct-v2.5"
QZHOU = "Kingsoft-LLM/QZhou-Embedding-Zh"


def test_instruction_models_map_to_the_registry_s_own_settings():
    for name in ("intfloat/multilingual-e5-large-instruct", "Qwen/Qwen3-Embedding-0.6B"):
        mapped, registered = mteb_model(name).entry, find_entry(name)
        assert mapped.query_instruction == registered.query_instruction
        assert mapped.revision == registered.revision
        assert mapped.source.endswith(".py") and mapped.symmetric_prefix == ""
    e5 = mteb_model("intfloat/multilingual-e5-small").entry
    assert (e5.query_prefix, e5.passage_prefix, e5.symmetric_prefix) == ("query: ", "passage: ", "")


@pytest.mark.parametrize(("name", "reason"), [
    ("Alibaba-NLP/gte-Qwen2-7B-instruct", "trust_remote_code"),
    ("jinaai/jina-embeddings-v3", "trust_remote_code"),
    ("TencentBAC/Conan-embedding-v2", "no open weights"),
    ("Qwen/Qwen3-Reranker-0.6B", "cross-encoder"),
    ("tencent/Youtu-Embedding", "trust_remote_code"),
])
def test_models_cmteb_cannot_run_faithfully_are_refused_with_the_reason(name, reason):
    found = mteb_model(name)
    assert found.entry is None and reason in found.refusal


@pytest.mark.parametrize(("name", "task_name"), [(KALM, "TNews"), (KALM, "T2Retrieval"), (KALM, "STSB"),
                                                 (QZHOU, "Ocnli"), (QZHOU, "CLSClusteringS2S")])
def test_mapped_instruction_models_give_mteb_s_texts_under_scope_all(name, task_name):
    import mteb
    from mteb.models.instruct_wrapper import InstructSentenceTransformerModel
    from mteb.types import PromptType

    meta = mteb.get_model_meta(name)
    wrapper = object.__new__(InstructSentenceTransformerModel)  # mteb's methods, no model loaded
    wrapper.instruction_template = meta.loader_kwargs["instruction_template"]
    wrapper.prompts_dict = meta.loader_kwargs.get("prompts_dict")
    spec = TaskRegistry().get(task_name)
    role, prompt_type = ("query", PromptType.query) if spec.type == "Retrieval" else ("symmetric", None)
    policy = apply_policy_overrides(mteb_model(name).entry.policy(), ModelOptions(instruction_scope="all"))
    expected = wrapper.get_task_instruction(mteb.get_task(task_name).metadata, prompt_type) + "天气"
    assert policy.format(["天气"], role, spec) == [expected]


def test_model_facts_for_leaderboards():
    facts = model_facts("Qwen/Qwen3-Embedding-8B")
    assert facts["embed_dim"] == 4096 and facts["max_tokens"] == 32768 and facts["n_parameters"] > 7e9
    assert model_facts("not-an-org/not-a-model") is None


@pytest.mark.parametrize("name", ["Alibaba-NLP/gme-Qwen2-VL-2B-Instruct",  # text and images: not run
                                  "voyageai/voyage-multilingual-2"])  # renamed in mteb
def test_facts_and_model_meta_of_any_model_mteb_names(name):
    import mteb

    meta = mteb.get_model_meta(name)
    assert mteb_model(name) is None  # cmteb runs text-only models it knows by their own names
    assert mteb_model_meta(name) == meta.to_dict()  # what mteb writes to model_meta.json
    assert model_facts(name)["n_parameters"] == meta.n_parameters
    assert model_facts(name)["open_weights"] == meta.open_weights


@pytest.fixture
def offline_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    return tmp_path / "hub"


def cache_snapshot(cache: Path, repo: str, commit: str, source: Path, st_config: dict | None = None) -> None:
    snapshot = cache / ("models--" + repo.replace("/", "--")) / "snapshots" / commit
    shutil.copytree(source, snapshot)
    if st_config is not None:
        (snapshot / "config_sentence_transformers.json").write_text(json.dumps(st_config))


def test_an_mteb_only_model_runs_from_its_metadata_and_records_the_source(offline_cache, tmp_path):
    revision = mteb_model(CONAN).entry.revision
    cache_snapshot(offline_cache, CONAN, revision, make_tiny_st(tmp_path / "st"))
    model = resolve_model(CONAN)
    assert (model.adapter, model.revision) == ("sentence-transformers", revision)
    assert model.settings["model_source"].endswith("misc_models.py")
    assert model.settings["pooling"] == "mean" and model.policy.effective_symmetric_prefix == ""


def test_checkpoint_prompts_are_used_as_mteb_uses_them(offline_cache, tmp_path):
    name = "lier007/xiaobu-embedding-v2"
    revision = mteb_model(name).entry.revision
    cache_snapshot(offline_cache, name, revision, make_tiny_st(tmp_path / "st"),
                   {"prompts": {"query": "Q: ", "document": ""}, "default_prompt_name": None})
    policy = resolve_model(name).policy
    assert (policy.query_prefix, policy.passage_prefix, policy.effective_symmetric_prefix) == ("Q: ", "", "")


def test_a_default_prompt_in_the_checkpoint_is_refused(offline_cache, tmp_path):
    name = "dunzhang/stella-large-zh-v3-1792d"
    revision = mteb_model(name).entry.revision
    cache_snapshot(offline_cache, name, revision, make_tiny_st(tmp_path / "st"),
                   {"prompts": {"s2p": "Instruct: x"}, "default_prompt_name": "s2p"})
    with pytest.raises(UserError, match="sets default_prompt_name 's2p'"):
        resolve_model(name)


def test_an_unmappable_mteb_model_is_refused_in_one_line(offline_cache, capsys):
    from cmteb.cli import main

    assert main(["run", "--model", "jinaai/jina-embeddings-v3", "--tasks", "DemoSTS"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "the pinned mteb describes it, but cmteb cannot run it faithfully" in err
    assert err.count("trust_remote_code") == 1  # the reason names the loader setting once
