"""The published headline average beside the recomputed one, with its rule, in every format."""

from __future__ import annotations

import csv
import io
import json

from cmteb.leaderboard.build import build_leaderboard
from cmteb.leaderboard.export import leaderboard_dict
from cmteb.leaderboard.page import html_text
from cmteb.leaderboard.published import readme_benchmark
from cmteb.leaderboard.tables import csv_text, markdown_text
from cmteb.models.registry import find_entry
from cmteb.tasks.registry import TaskRegistry
from tests.leaderboard.lb_files import write_demo_model

MODEL = "BAAI/bge-large-zh-v1.5"
ALL = {"DemoRetrieval": 0.8, "DemoReranking": 0.6, "DemoSTS": 0.3, "DemoPairClassification": 0.7,
       "DemoClassification": 0.5, "DemoClustering": 0.2}


def test_published_average_and_its_rule_are_in_every_format(tmp_path):
    write_demo_model(tmp_path, MODEL, ALL)
    write_demo_model(tmp_path, "org/unpublished", ALL)
    board = build_leaderboard([tmp_path], "demo", resamples=0)
    published = find_entry(MODEL).published.cmteb_average
    row = next(r for r in board.rows if r.model == MODEL)
    n_readme = len(TaskRegistry().benchmark(readme_benchmark(MODEL)).tasks)
    assert row.published.value == published
    assert row.published.difference == round(row.overall.value - published, 2)
    assert f"the README's Avg is the mean of the {n_readme} tasks of C-MTEB-35, this table's of 6" \
        in row.published.rule

    by_model = {r["model"]: r for r in csv.DictReader(io.StringIO(csv_text(board)))}
    assert by_model[MODEL]["Published avg"] == f"{published:.2f}"
    assert by_model[MODEL]["Published rule"] == row.published.rule
    assert by_model["org/unpublished"]["Published avg"] == ""
    doc = json.loads(json.dumps(leaderboard_dict(board)))
    entry = next(m for m in doc["models"] if m["model"] == MODEL)
    assert entry["published"]["value"] == published and entry["published"]["rule"] == row.published.rule
    markdown = markdown_text(board)
    assert f"published avg {published:.2f} (C-MTEB-35 ({n_readme} tasks)" in markdown
    page = html_text(board, plots=[], generated="now")
    assert f">{published:.2f}</td>" in page and "this table&#x27;s of 6" in page


def test_a_readme_row_over_31_tasks_is_explained_by_its_own_rule():
    assert readme_benchmark("moka-ai/m3e-base") == "C-MTEB"
    assert readme_benchmark("BAAI/bge-small-zh-v1.5") == "C-MTEB-35"
