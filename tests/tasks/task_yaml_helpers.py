"""Tiny task YAML text and a file writer for the registry error tests."""

from __future__ import annotations

from pathlib import Path

# A minimal valid local-only task; tests edit it to make one thing wrong.
TINY_TASK = """\
name: Tiny
type: STS
description: A tiny task.
dataset:
  local: data/Tiny
splits:
  cmteb: [test]
  mteb: [test]
main_score:
  cmteb: cosine_spearman
  mteb: cosine_spearman
"""


def write(root: Path, relative: str, text: str) -> Path:
    """Write `text` to `root/relative` (creating folders) and return the path."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
