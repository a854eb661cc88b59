"""README.md and the documentation pages speak to users: short README, links that resolve, no path
of any machine, and the README's model table generated from the registry (no hand-kept copy)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
USER_DOCS = [README, ROOT / "ARCHITECTURE.md", *sorted((ROOT / "docs").glob("*.md"))]
sys.path.insert(0, str(ROOT / "scripts"))

import update_models_table  # noqa: E402

MAX_README_LINES = 250
# Paths of the machines cmteb is built on (and their shared folder), which users do not have; and
# diary phrases that once crept into the README.
FORBIDDEN = ("../shared", "/work/", "/tmp/", "/root/", "the time we had", "earlier machine",
             "other engineers")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def github_anchor(heading: str) -> str:
    """GitHub's id for a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    return {github_anchor(m) for m in re.findall(r"^#{1,6} (.+)$", markdown, re.MULTILINE)}


def test_the_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines (limit {MAX_README_LINES})"


@pytest.mark.parametrize("page", USER_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_user_docs_name_no_machine_path_and_hold_no_diary(page):
    text = page.read_text(encoding="utf-8")
    found = [word for word in FORBIDDEN if word in text]
    assert not found, f"{page.relative_to(ROOT)} contains {found}"


def test_every_readme_link_resolves():
    text = README.read_text(encoding="utf-8")
    own = anchors(text)
    targets = [a or b for a, b in LINK.findall(text)]
    assert targets, "the README links to nothing"
    for target in targets:
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        if not path:
            assert anchor in own, f"README.md links to #{anchor}, which no heading has"
            continue
        file = ROOT / path
        assert file.exists(), f"README.md links to {target}: {path} does not exist"
        if anchor:
            assert anchor in anchors(file.read_text(encoding="utf-8")), \
                f"README.md links to {target}: no such heading in {path}"


def test_every_docs_page_is_linked_from_the_readme():
    text = README.read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        if page.name == "index.md":
            continue
        assert f"(docs/{page.name})" in text, f"README.md does not link to docs/{page.name}"


def test_the_readme_model_table_is_the_generated_one():
    readme = README.read_text(encoding="utf-8")
    table = update_models_table.readme_table()
    assert update_models_table.with_table(readme, table) == readme
    for name in ("Qwen/Qwen3-Embedding-8B", "Qwen/Qwen3-Reranker-0.6B", "bm25"):
        assert f"| {name} |" in readme


def test_a_hand_edited_readme_table_is_found(tmp_path):
    readme = README.read_text(encoding="utf-8")
    edited = tmp_path / "README.md"
    edited.write_text(readme.replace("| BAAI/bge-large-zh-v1.5 |", "| BAAI/bge-large-zh-v1.5 (edited) |", 1),
                      encoding="utf-8")
    assert update_models_table.main(["--check", "--readme", str(edited)]) == 1
    assert update_models_table.main(["--check", "--readme", str(README)]) == 0
