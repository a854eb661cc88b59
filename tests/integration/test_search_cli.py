"""`cmteb run --search faiss` end to end: same scores as the exact search, the backend recorded and
decisive for retrieval tasks only, results written before it was recorded still reused."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.integration.test_run_cli import ROOT, cmteb

pytest.importorskip("faiss")

TASKS = "DemoRetrieval,DemoSTS"


def run(out, *extra: str):
    return cmteb("run", "--model", "hash", "--tasks", TASKS, "--output-dir", str(out), "--no-progress",
                 *extra)


def result(out, task: str) -> dict:
    return json.loads((out / "hash" / "hash-v1" / f"{task}.json").read_text(encoding="utf-8"))


def test_faiss_search_scores_like_the_exact_search_and_is_recorded(tmp_path):
    exact, fast = tmp_path / "exact", tmp_path / "faiss"
    assert run(exact).returncode == 0
    proc = run(fast, "--search", "faiss")
    assert proc.returncode == 0, proc.stderr
    assert result(fast, "DemoRetrieval")["scores"] == result(exact, "DemoRetrieval")["scores"]
    assert result(fast, "DemoRetrieval")["cmteb"]["search"] == "faiss"
    assert result(exact, "DemoRetrieval")["cmteb"]["search"] == "exact"
    assert result(fast, "DemoSTS")["cmteb"]["search"] is None  # no search in an STS task

    again = run(fast)  # the exact search over faiss results: refused for the retrieval task only
    assert again.returncode == 2
    (line,) = again.stderr.strip().splitlines()
    assert "DemoRetrieval" in line and "search" in line and "'faiss' != 'exact'" in line
    assert cmteb("run", "--model", "hash", "--tasks", "DemoSTS", "--output-dir", str(fast)).returncode == 0


def test_a_retrieval_result_written_before_the_search_was_recorded_counts_as_exact(tmp_path):
    assert run(tmp_path).returncode == 0
    path = tmp_path / "hash" / "hash-v1" / "DemoRetrieval.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    del doc["cmteb"]["search"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    again = run(tmp_path)
    assert again.returncode == 0, again.stderr
    assert "already done" in again.stdout
    assert run(tmp_path, "--search", "faiss").returncode == 2


def test_faiss_search_without_faiss_installed_exits_2_before_any_work(tmp_path):
    code = "import sys; sys.modules['faiss'] = None; from cmteb.cli import main; sys.exit(main())"
    proc = subprocess.run([sys.executable, "-c", code, "run", "--model", "hash", "--tasks", TASKS,
                           "--output-dir", str(tmp_path), "--search", "faiss"],
                          cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert "--search faiss needs the faiss package" in line and "cmteb[faiss]" in line
    assert not list(tmp_path.rglob("*.json"))
