"""Fault injection in-process: a failing encoder, Ctrl-C, a corrupt result, a full disk, a held lock.

Each test checks the behaviour the contract promises (exit code, one line per problem) and that
no partial file is left, then reruns the same command and checks the results equal a clean run.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile

import pytest

import cmteb.atomic as atomic_writer
from cmteb.results.locks import ResultLocks
from tests.reliability.fault_models import FlakyHashEncoder
from tests.reliability.helpers import (
    DEMO,
    assert_no_partial_files,
    result_files,
    run_cmteb,
    scores_by_task,
)

FLAKY = "tests.reliability.fault_models:FlakyHashEncoder"


def test_encoder_raising_on_nth_call_fails_that_task_only(tmp_path, capsys, monkeypatch, clean_scores):
    monkeypatch.setattr(FlakyHashEncoder, "fail_on_call", 5)  # inside the third task, DemoSTS
    args = ["--model", FLAKY, *DEMO, "--output-dir", str(tmp_path)]
    code, _, err = run_cmteb(capsys, *args)
    assert code == 1
    assert err.strip().splitlines() == [
        f"cmteb: error: {FLAKY.replace(':', '.')}: task DemoSTS: RuntimeError: "
        "injected failure on encode call 5"]
    assert "DemoSTS" not in result_files(tmp_path) and len(result_files(tmp_path)) == 3
    assert_no_partial_files(tmp_path)

    monkeypatch.setattr(FlakyHashEncoder, "fail_on_call", None)
    code, stdout, _ = run_cmteb(capsys, *args)
    assert code == 0 and stdout.count("(already done)") == 3
    assert scores_by_task(tmp_path) == clean_scores


def test_ctrl_c_stops_with_one_line_and_exit_130(tmp_path, capsys, monkeypatch, clean_scores):
    monkeypatch.setattr(FlakyHashEncoder, "fail_on_call", 5)
    monkeypatch.setattr(FlakyHashEncoder, "fail_with", KeyboardInterrupt)
    args = ["--model", FLAKY, *DEMO, "--output-dir", str(tmp_path)]
    code, stdout, err = run_cmteb(capsys, *args)
    model = FLAKY.replace(":", ".")
    assert code == 130
    assert err.strip().splitlines() == [
        f"cmteb: interrupted during {model} / DemoSTS: 2 of 4 task(s) finished, 0 failed; "
        "rerun the same command to resume"]
    assert "DemoRetrieval" in stdout and "DemoReranking" in stdout  # what finished, with scores
    assert sorted(result_files(tmp_path)) == ["DemoReranking", "DemoRetrieval"]
    assert_no_partial_files(tmp_path)

    monkeypatch.setattr(FlakyHashEncoder, "fail_on_call", None)
    code, stdout, _ = run_cmteb(capsys, *args)
    assert code == 0 and stdout.count("(already done)") == 2
    assert scores_by_task(tmp_path) == clean_scores


def test_corrupt_result_is_reported_and_kept(tmp_path, capsys, clean_scores):
    args = ["--model", "hash", *DEMO, "--output-dir", str(tmp_path)]
    assert run_cmteb(capsys, *args)[0] == 0
    files = result_files(tmp_path)
    text = files["DemoSTS"].read_text("utf-8")
    files["DemoSTS"].write_text(text[: len(text) // 2], encoding="utf-8")  # truncated
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.json")}

    code, _, err = run_cmteb(capsys, *args)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"{files['DemoSTS']}:" in err and "corrupt JSON" in err and "not overwritten" in err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.json")} == before  # nothing touched

    files["DemoSTS"].unlink()  # what the message says to do
    code, stdout, _ = run_cmteb(capsys, *args)
    assert code == 0 and stdout.count("(already done)") == 3
    assert scores_by_task(tmp_path) == clean_scores


def _fail_nth(monkeypatch: pytest.MonkeyPatch, name: str, on_call: int) -> None:
    """Make `os.<name>` (as the results writer sees it) raise ENOSPC on its `on_call`-th call."""
    owner = tempfile if name == "mkstemp" else os
    original = getattr(owner, name)
    calls = [0]

    def failing(*args, **kwargs):
        calls[0] += 1
        if calls[0] == on_call:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)


class _FullDisk:
    """A file object that writes part of the text, then fails as a full disk does."""

    def __init__(self, handle):
        self.handle = handle

    def write(self, text: str) -> int:
        self.handle.write(text[: len(text) // 2])
        self.handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self.handle.__exit__(*exc)


def _full_disk_on_nth_file(monkeypatch: pytest.MonkeyPatch, on_call: int) -> None:
    original, calls = os.fdopen, [0]

    def fdopen(*args, **kwargs):
        calls[0] += 1
        handle = original(*args, **kwargs)
        return _FullDisk(handle) if calls[0] == on_call else handle

    monkeypatch.setattr(atomic_writer.os, "fdopen", fdopen)


# Two files per task (samples, then result), three for retrieval (samples, per-query run, result);
# each write fsyncs the file, then the folder. The third task, DemoSTS, hits the fault.
@pytest.mark.parametrize(("fault", "on_call", "written"), [
    ("fsync", 11, 4),    # third task's samples file: nothing of DemoSTS is written
    ("fsync", 13, 5),    # third task's result, after its samples file was written
    ("replace", 7, 5),   # rename of the third task's result
    ("mkstemp", 6, 4),   # creating the third task's samples temp file
    ("write", 6, 4),     # half of the third task's samples written, then ENOSPC
])
def test_disk_full_stops_the_run_and_resumes(tmp_path, capsys, monkeypatch, clean_scores,
                                             fault, on_call, written):
    if fault == "write":
        _full_disk_on_nth_file(monkeypatch, on_call)
    else:
        _fail_nth(monkeypatch, fault, on_call)
    args = ["--model", "hash", *DEMO, "--output-dir", str(tmp_path)]
    code, _, err = run_cmteb(capsys, *args)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "task DemoSTS: cannot write" in lines[0]
    assert "No space left on device (run stopped; rerun the same command to resume)" in lines[0]
    assert len(list(tmp_path.rglob("*.json"))) == written  # later tasks were not run
    assert_no_partial_files(tmp_path)

    monkeypatch.undo()
    code, stdout, _ = run_cmteb(capsys, *args)
    assert code == 0 and stdout.count("(already done)") == 2
    assert scores_by_task(tmp_path) == clean_scores


def test_held_lock_exits_2_before_any_work(tmp_path, capsys):
    held = tmp_path / "hash" / "hash-v1" / "DemoPairClassification.json"
    with ResultLocks(tmp_path) as other_run:
        other_run.acquire([held])
        code, _, err = run_cmteb(capsys, "--model", "hash", *DEMO, "--output-dir", str(tmp_path))
    assert code == 2
    assert err.strip().splitlines() == [
        f"cmteb: error: {held} is being written by another cmteb run "
        f"(pid {os.getpid()} on {os.uname().nodename}, since {err.split('since ')[1].split(')')[0]}); "
        "wait for it to finish, or use another --output-dir"]
    assert not list(tmp_path.rglob("*.json"))  # refused before any task ran


def test_runs_on_disjoint_tasks_share_a_folder(tmp_path, capsys, clean_scores):
    with ResultLocks(tmp_path) as other_run:  # e.g. another shard, writing DemoPairClassification
        other_run.acquire([tmp_path / "hash" / "hash-v1" / "DemoPairClassification.json"])
        code, _, _ = run_cmteb(capsys, "--model", "hash", "--tasks", "DemoSTS,DemoRetrieval",
                               "--output-dir", str(tmp_path))
    assert code == 0
    assert sorted(result_files(tmp_path)) == ["DemoRetrieval", "DemoSTS"]
    assert all(scores_by_task(tmp_path)[t] == clean_scores[t] for t in ["DemoRetrieval", "DemoSTS"])


def test_written_results_are_readable_by_others(tmp_path, capsys):
    assert run_cmteb(capsys, "--model", "hash", "--tasks", "DemoSTS", "--output-dir", str(tmp_path))[0] == 0
    umask = os.umask(0)
    os.umask(umask)
    for path in tmp_path.rglob("*.json"):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600
        json.loads(path.read_text("utf-8"))


def test_unwritable_output_folder_exits_2_before_any_work(tmp_path, capsys):
    not_a_folder = tmp_path / "results"
    not_a_folder.write_text("a file where the output folder should be", encoding="utf-8")
    code, _, err = run_cmteb(capsys, "--model", "hash", *DEMO, "--output-dir", str(not_a_folder))
    assert code == 2
    assert err.strip().splitlines() == [
        f"cmteb: error: --output-dir {not_a_folder}: cannot create lock "
        f"{not_a_folder}/.cmteb-locks/hash/hash-v1/DemoRetrieval.lock: Not a directory"]
