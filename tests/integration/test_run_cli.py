"""End to end: `python -m cmteb.run` on the bundled demo benchmark, exit codes, results on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cmteb(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m cmteb ...` from the checkout under test (offline)."""
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "cmteb", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=600)


def demo_tasks() -> list[str]:
    out = cmteb("list", "--benchmark", "demo", "--format", "json")
    assert out.returncode == 0, out.stderr
    return [row["name"] for row in json.loads(out.stdout)]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out_dir = tmp_path_factory.mktemp("results")
    proc = subprocess.run(
        [sys.executable, "-m", "cmteb.run", "--model", "hash", "--benchmark", "demo",
         "--output-dir", str(out_dir)],
        cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=600,
    )
    return out_dir, proc


def test_demo_run_writes_one_mteb_result_per_task(demo_run):
    from mteb.results import TaskResult

    out_dir, proc = demo_run
    assert proc.returncode == 0, proc.stderr
    folder = out_dir / "hash" / "hash-v1"
    names = demo_tasks()
    assert sorted(p.stem for p in folder.glob("*.json") if not p.name.endswith(".samples.json")) \
        == sorted(names)
    for name in names:
        result = TaskResult.from_disk(folder / f"{name}.json")
        assert result.task_name == name
        doc = json.loads((folder / f"{name}.json").read_text())
        block = doc["cmteb"]
        assert block["protocol"] == "cmteb"
        assert block["data"]["fingerprint"].startswith("sha256:")
        assert block["libraries"]["mteb"] and block["model"]["revision"] == "hash-v1"
        for entries in doc["scores"].values():
            assert 0.0 <= entries[0]["main_score"] <= 1.0
            assert entries[0]["main_score"] == entries[0][block["main_score_metric"]]
        assert (folder / f"{name}.samples.json").exists()
    assert not list(out_dir.rglob("*.tmp"))
    for name in names:  # the summary table names every task
        assert name in proc.stdout


def test_rerun_skips_finished_tasks_and_changes_nothing(demo_run):
    out_dir, _ = demo_run
    files = sorted((out_dir / "hash" / "hash-v1").glob("*.json"))
    before = {p: p.read_bytes() for p in files}
    again = subprocess.run(
        [sys.executable, "-m", "cmteb.run", "--model", "hash", "--benchmark", "demo",
         "--output-dir", str(out_dir)],
        cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=600,
    )
    assert again.returncode == 0, again.stderr
    assert "already done" in again.stdout
    assert {p: p.read_bytes() for p in files} == before


def test_rerun_with_other_settings_refuses_with_exit_2(demo_run):
    out_dir, _ = demo_run
    proc = cmteb("run", "--model", "hash", "--benchmark", "demo", "--output-dir", str(out_dir),
                 "--query-instruction", "找：")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "text_policy" in lines[0] and "--overwrite" in lines[0]


def test_unknown_task_exits_2_with_suggestion(tmp_path):
    proc = cmteb("run", "--model", "hash", "--tasks", "STSBB", "--output-dir", str(tmp_path))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("cmteb: error: unknown task 'STSBB' (did you mean: STSB")
    assert not any(tmp_path.iterdir())


def test_unknown_benchmark_and_bad_flag_exit_2_on_one_line(tmp_path):
    proc = cmteb("run", "--model", "hash", "--benchmark", "C-MTEV", "--output-dir", str(tmp_path))
    assert proc.returncode == 2 and "did you mean: C-MTEB" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    bad = cmteb("run", "--model", "hash", "--batch-size", "zero")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_malformed_data_line_exits_2_naming_file_and_line(tmp_path):
    data = tmp_path / "data" / "STSB"
    data.mkdir(parents=True)
    (data / "test.jsonl").write_text(
        '{"sentence1": "a", "sentence2": "b", "score": 1.0}\n{"sentence1": "a", broken\n',
        encoding="utf-8")
    out = tmp_path / "out"
    proc = cmteb("run", "--model", "hash", "--tasks", "STSB", "--data-dir", str(tmp_path / "data"),
                 "--output-dir", str(out))
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert "\n" not in line and "test.jsonl:2" in line
    assert not out.exists() or not list(out.rglob("*.json"))


def test_missing_data_offline_exits_2(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = cmteb("run", "--model", "hash", "--tasks", "STSB", "--data-dir", str(tmp_path / "empty"),
                 "--output-dir", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "STSB" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_list_c_mteb_json_has_exactly_the_31_tasks():
    proc = cmteb("list", "--benchmark", "C-MTEB", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) == 31
    by_name = {r["name"]: r for r in rows}
    assert by_name["Ocnli"]["main_score"] == "cosine_ap"
    assert by_name["Ocnli"]["splits"] == ["validation"]
    assert by_name["T2Retrieval"]["main_score"] == "ndcg_at_10"
    assert by_name["MultilingualSentiment"]["splits"] == ["validation"]
    mteb_rows = {r["name"]: r for r in json.loads(
        cmteb("list", "--benchmark", "MTEB(cmn, v1)", "--format", "json").stdout)}
    assert mteb_rows["Ocnli"]["main_score"] == "max_accuracy"
    assert mteb_rows["ATEC"]["splits"] == ["test"]
