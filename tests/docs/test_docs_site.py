"""The documentation site: generated tables come from the registries, and `mkdocs build --strict`
fails on a broken link, a broken anchor and an unknown table marker."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cmteb.tasks.registry import TaskRegistry

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("docs_tables", ROOT / "scripts" / "docs_tables.py")
docs_tables = importlib.util.module_from_spec(spec)
spec.loader.exec_module(docs_tables)


def _rows(table: str) -> list[list[str]]:
    lines = table.splitlines()
    assert lines[1].startswith("| ---")
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in lines[2:]]


def test_the_task_table_has_every_task_once_with_its_revision_and_both_protocols():
    registry = TaskRegistry()
    rows = {r[0]: r for r in _rows(docs_tables.tasks_table())}
    assert sorted(rows) == sorted(registry.names())
    ocnli = rows["Ocnli"]
    spec = registry.get("Ocnli")
    assert ocnli[1] == "PairClassification"
    assert ocnli[4] == "cmteb: `cosine_ap`<br>mteb: `max_accuracy`"
    assert spec.dataset.path in ocnli[5] and ocnli[6] == f"`{spec.dataset.revision[:12]}`"
    assert rows["STSB"][2] == "C-MTEB, C-MTEB-35, MTEB(cmn, v1)"
    assert rows["DemoSTS"][5] == "bundled with cmteb" and rows["DemoSTS"][4] == "`cosine_spearman`"


def test_the_benchmark_table_counts_each_benchmarks_tasks():
    registry = TaskRegistry()
    rows = _rows(docs_tables.benchmarks_table())
    assert [r[0] for r in rows] == [f"`{n}`" for n in registry.benchmark_names()]
    for row in rows:
        assert int(row[1]) == len(registry.benchmark(row[0].strip("`")).tasks)


def test_the_scripts_table_lists_every_script_with_what_it_says_it_does():
    rows = {r[0]: r[1] for r in _rows(docs_tables.scripts_table())}
    scripts = sorted([*(ROOT / "scripts").glob("*.py"), *(ROOT / "scripts").glob("*.sh")])
    assert sorted(rows) == sorted(f"`{p.name}`" for p in scripts)
    assert all(summary != "-" for summary in rows.values())
    assert rows["`kill_resume_loop.py`"].endswith("byte for byte.")  # the whole first paragraph


def test_markers_are_replaced_and_an_unknown_one_is_an_error():
    page = "# T\n\n<!-- table:benchmarks -->\n\nText with `<!-- table:tasks -->` inline stays.\n"
    filled = docs_tables.fill_tables(page, "t.md")
    assert "| `demo` | 6 | cmteb |" in filled and "`<!-- table:tasks -->` inline" in filled
    with pytest.raises(docs_tables.UnknownTable, match=r"t.md: unknown generated table 'nope'"):
        docs_tables.fill_tables("<!-- table:nope -->\n", "t.md")


def _build(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "--site-dir", str(root / "site")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def site_copy(tmp_path):
    """The repository's docs, mkdocs.yml, hook and ARCHITECTURE.md (which a page includes) in a
    scratch folder."""
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copy(ROOT / "ARCHITECTURE.md", tmp_path / "ARCHITECTURE.md")
    (tmp_path / "scripts").mkdir()
    hook = (ROOT / "scripts" / "docs_tables.py").read_text(encoding="utf-8")
    # the copy imports this checkout's cmteb
    hook = hook.replace("ROOT = Path(__file__).resolve().parents[1]", f"ROOT = Path({str(ROOT)!r})")
    (tmp_path / "scripts" / "docs_tables.py").write_text(hook, encoding="utf-8")
    return tmp_path


def test_the_strict_build_passes(site_copy):
    result = _build(site_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (site_copy / "site" / "data-layout" / "index.html").is_file()
    contributing = (site_copy / "site" / "contributing" / "index.html").read_text(encoding="utf-8")
    assert "Where things live" in contributing and "--8&lt;--" not in contributing  # ARCHITECTURE.md included
    assert "<code>kill_resume_loop.py</code>" in contributing  # the generated scripts table


@pytest.mark.parametrize(("breakage", "message"), [
    ("[gone](no-such-page.md)", "no-such-page.md"),
    ("[gone](tasks.md#no-such-section)", "no-such-section"),
    ("<!-- table:nope -->", "unknown generated table 'nope'"),
    ('--8<-- "NO-SUCH-FILE.md"', "NO-SUCH-FILE.md"),
])
def test_the_strict_build_fails_on_a_broken_link_anchor_or_marker(site_copy, breakage, message):
    page = site_copy / "docs" / "quickstart.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{breakage}\n", encoding="utf-8")
    result = _build(site_copy)
    assert result.returncode != 0 and message in result.stdout + result.stderr
