"""SIGKILL at deterministic points, then the same command again: results equal a clean run.

The killed run is a subprocess started through `tests.reliability.kill_point`, which pauses or
kills it at the N-th call of a chosen function; the resumed run is the plain `cmteb run` command.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.helpers import (
    DEMO,
    assert_no_partial_files,
    result_files,
    run_cmteb,
    scores_by_task,
)

ROOT = Path(__file__).resolve().parents[2]
ENCODE = "cmteb.models.hash_encoder:HashEncoder.encode"
# The hash encoder as a Python class with a revision: the on-disk embedding cache applies to it
# (never to the built-in `--model hash`), and its scores are the hash model's.
CACHED = ("--model", "cmteb.models.hash_encoder:HashEncoder", "--revision", "test-1")
pytestmark = pytest.mark.slow


@pytest.fixture
def start_with_fault():
    """Start `cmteb run --model hash ... --output-dir OUT` with a fault point (see kill_point);
    `run_args` replaces the model and tasks (e.g. a tiny model folder for the embedding cache)."""
    started: list[subprocess.Popen] = []

    def start(target: str, on_call: int, action: str, out: Path,
              run_args: tuple[str, ...] = ("--model", "hash", *DEMO)) -> subprocess.Popen:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.kill_point", target, str(on_call), action,
             "run", *run_args, "--output-dir", str(out)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:  # a paused run outlives a failed test otherwise
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def wait_for(marker: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"run ended before the fault point: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("fault point not reached")
        time.sleep(0.05)


def test_sigkill_mid_task_then_same_command_resumes(tmp_path, capsys, clean_scores, start_with_fault):
    out, marker = tmp_path / "out", tmp_path / "paused"
    # Encode call 5 is inside the third demo task (retrieval and reranking take two calls each).
    proc = start_with_fault(ENCODE, 5, f"pause:{marker}", out)
    wait_for(marker, proc)
    finished = {t: p.read_bytes() for t, p in result_files(out).items()}
    assert sorted(finished) == ["DemoReranking", "DemoRetrieval"]

    # While the first run holds its locks, a second run on the same folder refuses (exit 2).
    code, _, err = run_cmteb(capsys, "--model", "hash", *DEMO, "--output-dir", str(out))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"being written by another cmteb run (pid {proc.pid}" in err

    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    assert_no_partial_files(out)
    assert sorted(result_files(out)) == ["DemoReranking", "DemoRetrieval"]

    # The kernel released the dead run's locks: the same command now resumes and finishes.
    code, stdout, _ = run_cmteb(capsys, "--model", "hash", *DEMO, "--output-dir", str(out))
    assert code == 0
    assert stdout.count("(already done)") == 2
    assert {t: result_files(out)[t].read_bytes() for t in finished} == finished  # not rewritten
    assert_no_partial_files(out)
    assert scores_by_task(out) == clean_scores


def test_sigkill_between_temp_write_and_rename(tmp_path, capsys, clean_scores, start_with_fault):
    out = tmp_path / "out"
    # os.replace call 6 renames the third task's samples file (retrieval renames three files:
    # samples, per-query run, result; the other tasks two).
    proc = start_with_fault("os:replace", 6, "kill", out)
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    stale = [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert len(stale) == 1 and stale[0].name.startswith(".DemoSTS.samples.json.")
    json.loads(stale[0].read_text("utf-8"))  # complete (fsynced) but never renamed
    assert sorted(result_files(out)) == ["DemoReranking", "DemoRetrieval"]  # not taken for a result

    code, stdout, _ = run_cmteb(capsys, "--model", "hash", *DEMO, "--output-dir", str(out))
    assert code == 0 and stdout.count("(already done)") == 2
    assert_no_partial_files(out)
    assert scores_by_task(out) == clean_scores


def test_sigkill_after_cache_chunks_were_written_resumes_from_them(
        tmp_path, capsys, clean_scores, start_with_fault):
    """The first encode call of DemoRetrieval (its queries) is stored as a cache chunk; the run is
    killed at the second (its corpus), before any result. The resumed run reads the stored
    queries instead of encoding them again, and its scores equal an uninterrupted run's."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    run_args = (*CACHED, *DEMO, "--cache-dir", str(cache))
    proc = start_with_fault(ENCODE, 2, "kill", out, run_args)
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert not result_files(out)
    chunks = sorted(cache.rglob("*.emb"))
    assert len(chunks) == 1
    stored = struct.unpack("<Q", chunks[0].read_bytes()[16:24])[0]  # rows in the chunk's header

    code, _, _ = run_cmteb(capsys, *run_args, "--output-dir", str(out))
    assert code == 0
    encoding = json.loads(result_files(out)["DemoRetrieval"].read_text("utf-8"))["cmteb"]["encoding"]
    assert encoding["cache_hits"] == stored > 0
    assert encoding["encoded"] == encoding["unique_texts"] - stored  # only the corpus was encoded
    assert_no_partial_files(out)
    assert scores_by_task(out) == clean_scores
