"""`cmteb models`: JSON with sources, `--all` with the pinned mteb's models, CJK-aware columns.
(The README's generated model table is checked in tests/docs/test_readme.py.)"""

from __future__ import annotations

import argparse
import json

import pytest

from cmteb.columns import display_width
from cmteb.commands import models_cmd
from cmteb.commands.models_cmd import render_table


def listed(capsys, **args) -> list[dict]:
    options = {"name": None, "kind": None, "all": False, "format": "json", **args}
    models_cmd.main(argparse.Namespace(**options))
    return json.loads(capsys.readouterr().out)


def test_json_lists_qwen3_embedding_with_last_token_pooling_an_instruction_and_a_source(capsys):
    rows = {r["name"]: r for r in listed(capsys)}
    for size in ("0.6B", "4B", "8B"):
        row = rows[f"Qwen/Qwen3-Embedding-{size}"]
        assert row["pooling"] == "last" and row["adapter"] == "transformers"
        assert "{task}" in row["query_instruction"] and row["query_instruction"].startswith("Instruct: ")
        assert "qwen3_models.py" in row["source"] and row["origin"] == "registry"
    assert all(r["source"] for r in rows.values())


def test_all_adds_the_pinned_mteb_s_models_with_how_they_run(capsys):
    rows = {r["name"]: r for r in listed(capsys, all=True)}
    conan, jina = rows["TencentBAC/Conan-embedding-v1"], rows["jinaai/jina-embeddings-v3"]
    assert conan["origin"] == "mteb" and conan["refused"] is None and conan["source"].startswith("mteb ")
    assert conan["facts"]["revision"] == conan["revision"]
    assert "trust_remote_code" in jina["refused"] and jina["facts"]["embed_dim"] == 1024
    assert rows["BAAI/bge-large-zh-v1.5"]["origin"] == "registry"  # the registry's own entry wins
    assert len(rows) > 300


def test_a_name_only_mteb_knows_is_shown_and_an_unknown_one_suggests(capsys):
    from cmteb.errors import UserError

    (row,) = listed(capsys, name="lier007/xiaobu-embedding-v2")
    assert row["origin"] == "mteb"
    with pytest.raises(UserError, match="did you mean: BAAI/bge-small-zh-v1.5"):
        listed(capsys, name="bge-small-zh")


def test_columns_stay_aligned_after_cjk_text():
    rows = [{"name": "a/中文模型", "kind": "bi-encoder", "adapter": "x", "revision": "r", "pooling": "cls",
             "max_length": 512, "query_prefix": "", "passage_prefix": "", "query_instruction": "检索：",
             "published": None, "origin": "registry"},
            {"name": "b/latin", "kind": "bi-encoder", "adapter": "x", "revision": "r", "pooling": "mean",
             "max_length": 8, "query_prefix": "", "passage_prefix": "", "query_instruction": None,
             "published": {"cmteb_average": 50.0}, "origin": "registry"}]
    lines = render_table(rows).splitlines()
    assert display_width("中文ab") == 6
    starts = {display_width(line[:line.rindex(token)])
              for line, token in zip(lines, ("PUBLISHED", "-", "50.0"), strict=True)}
    assert len(starts) == 1  # the last column starts at the same screen column on every line

