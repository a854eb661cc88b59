"""`--shard I/N` in separate processes: the slices cover every (model, task) unit exactly once and
`cmteb merge` of their folders gives the single-process scores; a shared output folder works too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cmteb.cli import main
from cmteb.config import RunConfig, TaskSelection
from cmteb.distributed.options import Shard
from cmteb.pipeline.run import run
from tests.distributed.results import scores_by_file

ROOT = Path(__file__).resolve().parents[2]
TWO_MODELS = ("hash", "tests.distributed.fakes:Hash64")
SHARED_TASKS = ("STSB", "PAWSX", "AFQMC", "Ocnli", "TNews", "Waimai")


def run_shards_in_two_processes(args: list[str], out: Path) -> list[subprocess.CompletedProcess]:
    """`cmteb run ARGS --shard i/2 --output-dir OUT/shard-i` for i = 1, 2, at the same time."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "cmteb", "run", *args, "--shard", f"{i}/2",
                               "--output-dir", str(out / f"shard-{i}")],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in (1, 2)]
    done = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=900)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr))
    return done


def check_shards_cover_and_merge(tmp_path: Path, capsys, args: list[str], single_folder: Path,
                                 units: int) -> None:
    expected = scores_by_file(single_folder)
    assert len(expected) == units
    shards = run_shards_in_two_processes(args, tmp_path)
    for i, proc in enumerate(shards, start=1):
        assert proc.returncode == 0, proc.stderr
        assert f"cmteb: shard {i}/2: {units // 2} of {units} (model, task) units" in proc.stderr
    first, second = (set(scores_by_file(tmp_path / f"shard-{i}")) for i in (1, 2))
    assert not first & second  # no unit ran twice
    assert first | second == set(expected)  # every unit ran
    shard_dirs = [str(tmp_path / "shard-1"), str(tmp_path / "shard-2")]
    assert main(["merge", *shard_dirs, "--out", str(tmp_path / "merged")]) == 0
    assert f"{units} result file(s) copied" in capsys.readouterr().out
    assert scores_by_file(tmp_path / "merged") == expected
    assert len(list((tmp_path / "merged").rglob("*.samples.json"))) == units


def test_two_shard_processes_cover_the_demo_benchmark_and_merge_to_one_run(tmp_path, capsys):
    single = run(RunConfig(models=TWO_MODELS, selection=TaskSelection(benchmark="demo"),
                           output_dir=tmp_path / "single", show_progress=False))
    assert not single.failures
    args = ["--model", ",".join(TWO_MODELS), "--benchmark", "demo"]
    check_shards_cover_and_merge(tmp_path, capsys, args, tmp_path / "single", units=12)


@pytest.mark.slow
@pytest.mark.shared
def test_two_shard_processes_on_shared_data_merge_to_one_run(tmp_path, capsys, shared_data):
    selection = TaskSelection(tasks=SHARED_TASKS)
    single = run(RunConfig(models=("hash",), selection=selection, data_dir=shared_data,
                           output_dir=tmp_path / "single", show_progress=False))
    assert not single.failures
    args = ["--model", "hash", "--tasks", ",".join(SHARED_TASKS), "--data-dir", str(shared_data)]
    check_shards_cover_and_merge(tmp_path, capsys, args, tmp_path / "single", units=6)


def test_shards_writing_one_shared_output_folder_need_no_merge(tmp_path):
    def config(out: Path, shard: Shard | None) -> RunConfig:
        return RunConfig(models=TWO_MODELS, selection=TaskSelection(benchmark="demo"), output_dir=out,
                         show_progress=False, shard=shard)

    run(config(tmp_path / "single", None))
    reports = [run(config(tmp_path / "shared", Shard(i, 3))) for i in (1, 2, 3)]
    assert [len(r.outcomes) for r in reports] == [4, 4, 4]
    assert scores_by_file(tmp_path / "shared") == scores_by_file(tmp_path / "single")
    again = run(config(tmp_path / "shared", Shard(2, 3)))  # a re-queued array task resumes
    assert [o.status for o in again.outcomes] == ["skipped"] * 4
