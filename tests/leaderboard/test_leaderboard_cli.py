"""`cmteb leaderboard` end to end: on results written by `cmteb run`, exit codes, stdout/stderr."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.leaderboard.lb_files import run_cmteb, write_demo_model


@pytest.fixture(scope="module")
def hash_results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("results")
    proc = run_cmteb("run", "--model", "hash", "--benchmark", "demo", "--output-dir", str(out),
                 "--no-progress")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.slow
def test_leaderboard_of_a_cmteb_run_matches_its_result_files(hash_results, tmp_path):
    out = tmp_path / "lb"
    proc = run_cmteb("leaderboard", "--results", str(hash_results), "--benchmark", "demo",
                 "--out", str(out), "--format", "json", "--no-plots")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    (row,) = doc["models"]
    assert row["model"] == "hash" and row["folders"] == ["hash-v1"]
    tasks = [t["name"] for t in doc["tasks"]]
    expected = {}
    for task in tasks:
        result = json.loads((hash_results / "hash" / "hash-v1" / f"{task}.json").read_text())
        (split,) = result["scores"]
        expected[task] = round(result["scores"][split][0]["main_score"] * 100, 2)
        assert row["tasks"][task]["score"] == expected[task]
    overall = round(sum(expected[t] for t in tasks) / len(tasks), 2)
    assert row["Avg"]["score"] == overall
    with (out / "leaderboard.csv").open(encoding="utf-8") as fh:
        (csv_row,) = list(csv.DictReader(fh))
    assert csv_row["Avg"] == f"{overall:.2f}"
    assert "wrote 4 files" in proc.stderr


def test_table_on_stdout_and_files_on_disk(tmp_path):
    results = tmp_path / "results"
    write_demo_model(results, "org/m", {"DemoSTS": 0.5, "DemoRetrieval": 0.25})
    out = tmp_path / "lb"
    proc = run_cmteb("leaderboard", "--results", str(results), "--benchmark", "demo", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("| Rank | Model | Avg | 95% CI | Published avg |")
    assert "| 1* | org/m | — |  |  | 37.50 (2/6) | 1 | 25.00 | 50.00 |" in proc.stdout
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert {"index.html", "leaderboard.csv", "leaderboard.md", "leaderboard.json",
            "plots/types.png", "plots/size.png"} <= set(names)


@pytest.mark.parametrize(("args", "message"), [
    (["--results", "/nonexistent/folder"], "--results /nonexistent/folder: no such folder"),
    (["--results", ".", "--benchmark", "C-MTEB-99"], "unknown benchmark 'C-MTEB-99'"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    proc = run_cmteb("leaderboard", *args, "--out", str(tmp_path / "lb"))
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"cmteb: error: {message}")
    assert not (tmp_path / "lb").exists()


def test_out_must_be_a_folder(tmp_path):
    write_demo_model(tmp_path / "results", "org/m", {"DemoSTS": 0.5})
    (tmp_path / "file").write_text("x")
    proc = run_cmteb("leaderboard", "--results", str(tmp_path / "results"), "--benchmark", "demo",
                 "--out", str(tmp_path / "file"))
    assert proc.returncode == 2 and "--out" in proc.stderr and "not a folder" in proc.stderr


def test_corrupt_result_file_is_named(tmp_path):
    bad = tmp_path / "org__m" / "rev" / "DemoSTS.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{ not json", encoding="utf-8")
    proc = run_cmteb("leaderboard", "--results", str(tmp_path), "--benchmark", "demo",
                 "--out", str(tmp_path / "lb"))
    assert proc.returncode == 2 and f"{bad}:1: corrupt JSON" in proc.stderr
    assert "Traceback" not in proc.stderr
