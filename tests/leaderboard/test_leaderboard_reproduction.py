"""The leaderboard built from the real published result files reproduces the published tables.

Inputs: ../shared/refs/mteb-results/results (nine models' files from embeddings-benchmark/results).
Expected values: ../shared/refs/published_cmteb_scores.json (the FlagEmbedding README table and
the per-task scores read from those files) and the "What reproduces the README" table of
../shared/refs/README.md. Nothing here comes from cmteb's own output. Skips without ../shared
(`CMTEB_SHARED=/path/to/shared` points elsewhere, e.g. from a worktree).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cmteb.leaderboard.build import build_leaderboard
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
REFS = Path(os.environ.get("CMTEB_SHARED", SHARED)) / "refs"
RESULTS = REFS / "mteb-results" / "results"
README_MODELS = ["BAAI/bge-large-zh-v1.5", "BAAI/bge-base-zh-v1.5", "BAAI/bge-small-zh-v1.5",
                 "moka-ai/m3e-base", "shibing624/text2vec-base-chinese"]
REPRODUCED = ["Retrieval", "STS", "PairClassification", "Reranking", "Clustering"]
BGE = {"large": "BAAI/bge-large-zh-v1.5", "base": "BAAI/bge-base-zh-v1.5", "small": "BAAI/bge-small-zh-v1.5"}

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(scope="module")
def published() -> dict:
    if not RESULTS.is_dir():
        pytest.skip("../shared/refs is not available on this machine")
    return json.loads((REFS / "published_cmteb_scores.json").read_text(encoding="utf-8"))


def refs_readme_row(label: str) -> dict[str, float]:
    """A row of the refs README table "What reproduces the README" (columns large/base/small)."""
    for line in (REFS / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == label:
            return {size: float(cells[i]) for i, size in enumerate(["large", "base", "small"], 1)}
    raise AssertionError(f"refs README has no row {label!r}")


def markdown_summary(path: Path) -> dict[str, dict[str, str]]:
    """The first table of leaderboard.md as {model: {column: cell}} (model names are plain
    here: none has a character that Markdown escaping changes)."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    table = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != len(header):
            break
        table[cells[header.index("Model")]] = dict(zip(header, cells, strict=True))
    return table


@pytest.fixture(scope="module")
def lb35(published, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lb35")
    proc = subprocess.run(
        [sys.executable, "-m", "cmteb", "leaderboard", "--results", str(RESULTS),
         "--benchmark", "C-MTEB-35", "--out", str(out)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out


def test_c_mteb_35_ranks_bge_large_zh_v1_5_first_with_rank_and_published_columns(lb35, published):
    with (lb35 / "leaderboard.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["model"] == "BAAI/bge-large-zh-v1.5" and rows[0]["Rank"] == "1"
    assert [int(r["Rank"]) for r in rows] == sorted(int(r["Rank"]) for r in rows)
    readme = published["readme_averages"]["embedding_summary"]
    for row in rows:
        expected = readme.get(row["model"], {}).get("Avg")
        assert row["Published avg"] == ("" if expected is None else f"{expected:.2f}"), row["model"]
    table = markdown_summary(lb35 / "leaderboard.md")
    assert table["BAAI/bge-large-zh-v1.5"]["Rank"] == "1*"  # ranked on the 32 tasks it has
    assert table["BAAI/bge-large-zh-v1.5"]["Ranked on"].endswith("(32/35)")
    doc = json.loads((lb35 / "leaderboard.json").read_text(encoding="utf-8"))
    first = doc["models"][0]
    assert first["published"]["tasks"] == "C-MTEB-35 (35 tasks)" and "no result" in first["published"]["rule"]


def test_published_rule_recomputes_the_readme_average_from_the_31_tasks(published):
    """m3e and text2vec: the README's Avg is their 31-task mean, and the per-task values equal the
    files (refs README): on C-MTEB-35 the rule recomputes it from this table's scores."""
    board = build_leaderboard([RESULTS], "C-MTEB-35", resamples=0)
    rows = {r.model: r for r in board.rows}
    readme = published["readme_averages"]["embedding_summary"]
    for model in ["moka-ai/m3e-base", "shibing624/text2vec-base-chinese"]:
        rule = rows[model].published.rule
        assert f"over the README's 31 tasks these scores average {readme[model]['Avg']:.2f} (+0.00)" \
            in rule, rule
    c31 = {r.model: r for r in build_leaderboard([RESULTS], "C-MTEB", resamples=0).rows}
    large = c31["BAAI/bge-large-zh-v1.5"].published
    assert large.value == readme["BAAI/bge-large-zh-v1.5"]["Avg"]
    assert large.difference == round(c31["BAAI/bge-large-zh-v1.5"].overall.value - large.value, 2)
    assert "the 35 tasks of C-MTEB-35, this table's of 31" in large.rule


def test_c_mteb_35_writes_the_four_outputs(lb35):
    for name in ["leaderboard.md", "leaderboard.csv", "index.html", "plots/types.png", "plots/size.png"]:
        assert (lb35 / name).stat().st_size > 0, name


def test_c_mteb_35_markdown_reproduces_the_published_category_columns(lb35, published):
    table = markdown_summary(lb35 / "leaderboard.md")
    readme = published["readme_averages"]["embedding_summary"]
    for model in README_MODELS:
        for column in REPRODUCED:
            assert table[model][column] == f"{readme[model][column]:.2f}", (model, column)


def test_models_without_the_extra_tasks_show_35_task_means_as_missing(lb35, published):
    table = markdown_summary(lb35 / "leaderboard.md")
    with (lb35 / "leaderboard.csv").open(encoding="utf-8") as fh:
        csv_rows = {r["model"]: r for r in csv.DictReader(fh)}
    for model in README_MODELS:
        extra = published["models"][model]["extra_tasks_for_readme_35"]
        lacking = [t for t, v in extra.items() if v.get("missing")]
        assert lacking, model
        assert table[model]["Avg"] == "—" and table[model]["Classification"] == "—"
        assert table[model]["Missing"] == ", ".join(lacking)
        assert csv_rows[model]["Avg"] == "" and csv_rows[model]["Classification"] == ""
        assert all(csv_rows[model][t] == "" for t in lacking)


def test_c_mteb_31_reproduces_the_refs_averages(published):
    board = build_leaderboard([RESULTS], "C-MTEB", resamples=0)
    rows = {r.model: r for r in board.rows}
    rows_by_label = {"Avg, 31 tasks (cos AP)": None, "STS, 7 tasks": "STS",
                     "Classification, 6 tasks": "Classification", "Retrieval (8)": "Retrieval",
                     "PairClass, cos AP": "PairClassification", "Reranking (4)": "Reranking",
                     "Clustering (4)": "Clustering"}
    for label, column in rows_by_label.items():
        for size, expected in refs_readme_row(label).items():
            row = rows[BGE[size]]
            got = row.overall.value if column is None else row.types[column].value
            assert got == expected, (label, size)
    assert rows["BAAI/bge-large-zh-v1.5"].overall.value == 64.66
    # text2vec and m3e: the README's Avg is their 31-task mean (refs README, "How the averages...")
    readme = published["readme_averages"]["embedding_summary"]
    for model in ["moka-ai/m3e-base", "shibing624/text2vec-base-chinese"]:
        assert rows[model].overall.value == readme[model]["Avg"], model


def test_every_published_task_score_is_read_from_the_right_split_and_metric(published):
    """All 8 models x 31 tasks of the published JSON (4 dp, 0-100): ours is its 2-dp rounding."""
    rows = {r.model: r for r in build_leaderboard([RESULTS], "C-MTEB", resamples=0).rows}
    for model, record in published["models"].items():
        for task, info in record["tasks"].items():
            ours = rows[model].tasks[task]
            assert ours.value is not None and abs(ours.value - info["score"]) <= 0.005 + 1e-9, \
                (model, task, ours.value, info["score"], ours.metric)
            assert ours.metric == {"cos_sim.spearman": "cosine_spearman",
                                   "cos_sim.ap": "cosine_ap"}.get(info["metric"], info["metric"])


def test_readme_per_task_values_of_text2vec_and_m3e(published):
    """The README's per-task tables for these two models equal the files (refs README)."""
    board = build_leaderboard([RESULTS], "C-MTEB-35", resamples=0)
    labels = {c.label: c.task for c in board.conventions}
    rows = {r.model: r for r in board.rows}
    for model in ["moka-ai/m3e-base", "shibing624/text2vec-base-chinese"]:
        table = published["readme_averages"]["per_task_tables"][model]
        compared = 0
        for label, value in table.items():
            if label.endswith("_Avg"):
                continue
            score = rows[model].tasks[labels[label]]
            if score.value is None:
                assert labels[label] in rows[model].overall.missing
                continue
            assert score.value == value, (model, label)
            compared += 1
        assert compared == 32
