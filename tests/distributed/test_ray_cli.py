"""`cmteb run --ray` from the command line: a local Ray instance it starts itself, two CPU workers,
two models (hash and a tiny sentence-transformers model) on the demo benchmark: every score equals
the single-process run's. Skipped when Ray is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cmteb.config import RunConfig, TaskSelection
from cmteb.pipeline.run import run
from tests.distributed.results import scores_by_file
from tests.tiny_models import make_tiny_st

pytest.importorskip("ray")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def cmteb(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "cmteb", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)


def test_local_ray_run_of_two_models_equals_the_single_process_run(tmp_path):
    tiny = make_tiny_st(tmp_path / "tiny-st")
    single = run(RunConfig(models=("hash", str(tiny)), selection=TaskSelection(benchmark="demo"),
                           output_dir=tmp_path / "single", show_progress=False))  # = `cmteb run`
    assert not single.failures
    on_ray = cmteb("run", "--model", "hash", "--model", str(tiny), "--benchmark", "demo",
                   "--output-dir", str(tmp_path / "ray"), "--ray", "--ray-workers", "2")
    assert on_ray.returncode == 0, on_ray.stderr
    expected = scores_by_file(tmp_path / "single")
    assert len(expected) == 12  # 2 models x 6 tasks
    assert scores_by_file(tmp_path / "ray") == expected
    assert "cmteb: ray: 12/12 units done (12/12 jobs)" in on_ray.stderr
    assert "texts/s across 2 workers" in on_ray.stderr
    assert "DemoClustering" in on_ray.stdout  # the same summary table as a local run


def test_ray_flags_are_checked_before_anything_runs(tmp_path):
    out = cmteb("run", "--model", "hash", "--benchmark", "demo", "--ray", "--shard", "1/2")
    assert out.returncode == 2 and out.stderr.strip().splitlines()[-1] == (
        "cmteb: error: --shard and --ray do not go together: Ray already spreads every unit")
    out = cmteb("run", "--model", "hash", "--benchmark", "demo", "--ray-workers", "2")
    assert out.returncode == 2 and "need --ray" in out.stderr
    out = cmteb("run", "--model", "hash", "--benchmark", "demo", "--ray", "--ray-corpus-chunk", "1000")
    assert out.returncode == 2 and "multiple of 32768" in out.stderr
