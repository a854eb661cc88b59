"""Leaderboard outputs from hand-written results: CSV contract, Markdown, HTML, JSON, plots."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from cmteb.errors import UserError
from cmteb.leaderboard.build import build_leaderboard
from cmteb.leaderboard.export import leaderboard_dict
from cmteb.leaderboard.page import html_text
from cmteb.leaderboard.plots import render_plots
from cmteb.leaderboard.publish import publish
from cmteb.leaderboard.tables import csv_text, markdown_text
from tests.leaderboard.lb_files import DEMO_METRICS, write_demo_model

ALPHA = {"DemoRetrieval": 0.83987, "DemoReranking": 0.6512, "DemoSTS": 0.25274,
         "DemoPairClassification": 0.69631, "DemoClassification": 0.5741, "DemoClustering": 0.15131}
BETA = {t: v / 2 for t, v in ALPHA.items() if t != "DemoClustering"}
TYPES = ["Retrieval", "STS", "PairClassification", "Classification", "Reranking", "Clustering"]
TASKS = ["DemoRetrieval", "DemoSTS", "DemoPairClassification", "DemoClassification",
         "DemoReranking", "DemoClustering"]


@pytest.fixture
def results(tmp_path):
    root = tmp_path / "results"
    write_demo_model(root, "org/alpha", ALPHA)
    write_demo_model(root, "org/beta", {k: v for k, v in BETA.items() if k != "DemoReranking"})
    write_demo_model(root, "org/beta", {"DemoReranking": BETA["DemoReranking"]}, quick=True)
    write_demo_model(root, "org/<b>bold</b>", {"DemoSTS": 0.5})
    return root


@pytest.fixture
def board(results):
    return build_leaderboard([results], "demo")


def expected_points(value: float) -> str:
    return f"{round(value * 100, 2):.2f}"


def test_csv_follows_the_contract(board):
    rows = list(csv.reader(io.StringIO(csv_text(board))))
    assert rows[0][:4 + len(TYPES) + len(TASKS)] == ["Rank", "model", "Avg", "Published avg",
                                                     *TYPES, *TASKS]
    by_model = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert len(rows) == 4 and len(by_model) == 3
    alpha = by_model["org/alpha"]
    for task in TASKS:
        assert alpha[task] == expected_points(ALPHA[task])
    overall = round(sum(round(ALPHA[t] * 100, 2) for t in TASKS) / len(TASKS), 2)
    assert alpha["Avg"] == f"{overall:.2f}"
    beta = by_model["org/beta"]
    assert beta["Avg"] == "" and beta["Clustering"] == "" and beta["DemoClustering"] == ""
    assert beta["Reranking"] == expected_points(BETA["DemoReranking"])  # a number, no mark in CSV
    scores = slice(2, 4 + len(TYPES) + len(TASKS))
    assert all(re.fullmatch(r"\d+\.\d\d|", v) for r in rows[1:] for v in r[scores])
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]  # ranked, partial rows included


def test_markdown_marks_missing_and_deviating_scores(board):
    text = markdown_text(board)
    header = [c.strip() for c in text.splitlines()[text.splitlines().index("") + 1:]
              if c.startswith("| Rank |")][0].strip("|").split("|")
    header = [c.strip() for c in header]
    (beta_line,) = [ln for ln in text.splitlines() if "| org/beta |" in ln][:1]
    cells = dict(zip(header, [c.strip() for c in beta_line.strip("|").split("|")], strict=True))
    assert cells["Avg"] == "—" and cells["Missing"] == "DemoClustering"  # Missing names it
    assert cells["Reranking"].endswith("†") and cells["Rank"].endswith("*")
    assert cells["Ranked on"].endswith("(5/6)")
    assert "DemoReranking: quick run (subsampled data)" in text
    assert "missing DemoClustering: no result file" in text


def test_html_is_offline_escaped_and_marks_cells(board):
    page = html_text(board, plots=[("plots/types.png", "Types")], generated="generated now")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing from the network
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    for key in ["overview", *TYPES, "models", "plots"]:
        assert f'data-tab="{key}"' in page and f'id="tab-{key}"' in page
    assert 'class="num missing' in page and 'title="missing: no result file"' in page
    assert 'title="quick run (subsampled data)"' in page
    assert '<img src="plots/types.png" alt="Types">' in page


def test_json_export_has_provenance(board):
    doc = json.loads(json.dumps(leaderboard_dict(board)))
    alpha = next(m for m in doc["models"] if m["model"] == "org/alpha")
    task = alpha["tasks"]["DemoSTS"]
    assert task["metric"] == DEMO_METRICS["DemoSTS"][1] and task["folder"] == "rev1"
    assert task["file"].endswith("org__alpha/rev1/DemoSTS.json")
    assert alpha["folders"] == ["rev1"] and alpha["protocols"] == ["cmteb"]


def test_plots_are_pngs(board):
    plots = render_plots(board)
    assert [name for name, _, _ in plots] == ["types.png", *(f"type-{t}.png" for t in TYPES), "size.png",
                                              "speed.png"]
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for _, _, png in plots)


def test_publish_writes_every_output(board, tmp_path):
    out = tmp_path / "lb"
    written = publish(board, out, generated="now", plots=False)
    assert [p.name for p in written] == ["leaderboard.md", "leaderboard.csv", "leaderboard.json",
                                         "index.html"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left
    assert (out / "leaderboard.csv").stat().st_mode & 0o044  # readable by others (web publishing)


def test_models_without_benchmark_tasks_are_left_out_and_said(results):
    write_demo_model(results, "org/other", {})
    (results / "org__other" / "rev1").mkdir(parents=True)
    (results / "org__other" / "rev1" / "X.json").write_text(
        json.dumps({"task_name": "T2Retrieval", "mteb_version": "2.0.0",
                    "scores": {"dev": [{"ndcg_at_10": 0.5, "hf_subset": "default"}]}}))
    board = build_leaderboard([results], "demo")
    assert "org/other" not in {r.model for r in board.rows}
    assert board.ignored == ("org/other: no result for any task of demo",)


def test_no_benchmark_task_at_all_is_a_user_error(results):
    with pytest.raises(UserError, match="none of the .* result files .* is a task of benchmark C-MTEB"):
        build_leaderboard([results], "C-MTEB")
    with pytest.raises(UserError, match="unknown benchmark"):
        build_leaderboard([results], "C-MTEB-36")
