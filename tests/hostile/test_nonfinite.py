"""Issue 16 item 2: a score that is not a finite number never passes.

Readers of cmteb results (`run`'s finished check, `compare`, `baseline`, `merge`, `leaderboard`)
exit 2 naming the file and the metric; a model whose STS correlation is undefined fails that task
(exit 1, one line) instead of storing null. Plain mteb files, which store NaN for metrics they
do not rank by, are refused only when the NaN is the value a command uses.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from cmteb.errors import TaskError
from cmteb.evaluators import SplitResult
from cmteb.results.task_result import build_result
from cmteb.tasks.registry import TaskRegistry
from tests.compare.helpers import copy_results, edit_json
from tests.hostile.helpers import cli, one_error_line, snapshot


def spoil(folder: Path, value: float | None, *, task: str = "DemoSTS", key: str = "main_score") -> Path:
    """Write `value` (NaN and inf as the JSON literals Python writes) as `key` of the task."""
    def change(doc):
        doc["scores"]["test"][0][key] = value
    edit_json(folder / f"{task}.json", change)
    return folder / f"{task}.json"


SPOILED = [(math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity"), (None, "null")]


@pytest.mark.parametrize(("value", "shown"), SPOILED)
def test_a_finished_result_with_a_non_finite_main_score_is_not_done(demo, tmp_path, capsys, value, shown):
    out = tmp_path / "out"
    copy_results(demo, out / "hash" / "hash-v1")
    path = spoil(out / "hash" / "hash-v1", value)
    before = path.read_bytes()
    code, stdout, err = cli(capsys, "run", "--model", "hash", "--tasks", "DemoSTS", "--output-dir", out,
                            "--no-progress")
    assert code == 2 and "already done" not in stdout
    line = one_error_line(err)
    assert f"{path}: scores.test[0].main_score is {shown}" in line and "--overwrite" in line
    assert path.read_bytes() == before


def test_a_non_finite_metric_other_than_the_main_score_is_refused_too(demo, tmp_path, capsys):
    out = tmp_path / "out"
    copy_results(demo, out / "hash" / "hash-v1")
    path = spoil(out / "hash" / "hash-v1", math.nan, key="euclidean_pearson")
    code, _, err = cli(capsys, "run", "--model", "hash", "--tasks", "DemoSTS", "--output-dir", out,
                       "--no-progress")
    assert code == 2 and f"{path}: scores.test[0].euclidean_pearson is NaN" in one_error_line(err)


@pytest.mark.parametrize(("value", "shown"), SPOILED[:3])
@pytest.mark.parametrize("side", ["baseline", "candidate"])
def test_compare_refuses_either_side_holding_a_non_finite_score(demo, tmp_path, capsys, value, shown, side):
    spoiled = copy_results(demo, tmp_path / "spoiled")
    path = spoil(spoiled, value)
    pair = (spoiled, demo) if side == "baseline" else (demo, spoiled)
    code, out, err = cli(capsys, "compare", *pair)
    assert code == 2 and out == ""
    assert f"{path}: scores.test[0].main_score is {shown}, not a finite score" in one_error_line(err)


def test_baseline_check_and_save_refuse_nan_results(demo, tmp_path, capsys):
    bl = tmp_path / "bl"
    assert cli(capsys, "baseline", "save", demo, "--baselines-dir", bl)[0] == 0
    spoiled = copy_results(demo, tmp_path / "spoiled")
    path = spoil(spoiled, math.nan)
    code, _, err = cli(capsys, "baseline", "check", spoiled, "--baselines-dir", bl)
    assert code == 2 and f"{path}: scores.test[0].main_score is NaN" in one_error_line(err)
    code, _, err = cli(capsys, "baseline", "save", spoiled, "--baselines-dir", tmp_path / "bl2")
    assert code == 2 and f"{path}: scores.test[0].main_score is NaN" in one_error_line(err)
    assert not (tmp_path / "bl2").exists()


@pytest.mark.parametrize("where", ["result", "summary"])
def test_a_baseline_file_holding_nan_is_refused(demo, tmp_path, capsys, where):
    bl = tmp_path / "bl"
    assert cli(capsys, "baseline", "save", demo, "--baselines-dir", bl)[0] == 0
    path = bl / "hash.json"
    doc = json.loads(path.read_text("utf-8"))
    if where == "result":
        doc["tasks"]["DemoSTS"]["result"]["scores"]["test"][0]["main_score"] = math.nan
    else:
        doc["summary"]["DemoSTS"]["score"] = math.nan
    path.write_text(json.dumps(doc), encoding="utf-8")  # Python writes the NaN literal
    code, _, err = cli(capsys, "baseline", "check", demo, "--baselines-dir", bl)
    line = one_error_line(err)
    assert code == 2 and str(path) in line and "is NaN" in line
    assert ("main_score" if where == "result" else "summary.DemoSTS.score") in line


def test_merge_refuses_a_nan_result_and_writes_nothing(demo, tmp_path, capsys):
    shard = copy_results(demo, tmp_path / "shard" / "hash" / "hash-v1")
    path = spoil(shard, math.nan)
    code, _, err = cli(capsys, "merge", tmp_path / "shard", "--out", tmp_path / "merged")
    assert code == 2 and f"{path}: scores.test[0].main_score is NaN" in one_error_line(err)
    assert not (tmp_path / "merged").exists()


def test_leaderboard_refuses_a_nan_cmteb_result_and_writes_nothing(demo, tmp_path, capsys):
    results = copy_results(demo, tmp_path / "results" / "hash" / "hash-v1")
    path = spoil(results, math.inf)
    code, _, err = cli(capsys, "leaderboard", "--results", tmp_path / "results", "--benchmark", "demo",
                       "--out", tmp_path / "board")
    assert code == 2 and f"{path}: scores.test[0].main_score is Infinity" in one_error_line(err)
    assert not (tmp_path / "board").exists()


def _plain_mteb(folder: Path) -> None:
    """Turn cmteb results into plain mteb files (no cmteb block, no per-sample files)."""
    for path in list(folder.glob("*.json")):
        if path.name.endswith(".samples.json"):
            path.unlink()
        else:
            edit_json(path, lambda doc: doc.pop("cmteb"))


def test_plain_mteb_files_are_refused_only_for_the_values_used(demo, tmp_path, capsys):
    plain = copy_results(demo, tmp_path / "plain")
    _plain_mteb(plain)
    spoil(plain, math.nan, key="euclidean_pearson")  # unused: mteb writes such NaNs itself
    code, _, err = cli(capsys, "compare", plain, plain)
    assert code == 0, err
    path = spoil(plain, math.nan)
    code, _, err = cli(capsys, "compare", plain, plain)
    assert code == 2
    assert f"{path}: split test: main_score is NaN, not a finite score" in err.splitlines()[0]


def test_constant_vectors_fail_the_sts_task_with_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, err = cli(capsys, "run", "--model", "tests.hostile.odd_models:ConstantVectors",
                            "--tasks", "DemoSTS,DemoPairClassification", "--output-dir", out,
                            "--no-progress")
    assert code == 1
    line = one_error_line(err)
    assert "task DemoSTS: the model gives all 40 pairs the same cosine similarity" in line
    assert "correlation with the gold scores is undefined" in line
    assert "Warning" not in err and "FAILED" in stdout
    files = sorted(p.name for p in out.rglob("*.json"))
    assert files == ["DemoPairClassification.json", "DemoPairClassification.samples.json"]


def test_scaled_vectors_keep_sts_defined(tmp_path, capsys):
    code, _, err = cli(capsys, "run", "--model", "tests.hostile.odd_models:ScaledHash", "--tasks",
                       "DemoSTS", "--output-dir", tmp_path / "out", "--no-progress")
    assert code == 0, err


@pytest.mark.parametrize("bad", [math.nan, math.inf, None])
def test_no_evaluator_can_store_a_non_finite_metric(bad):
    spec = TaskRegistry().get("DemoPairClassification")
    split = SplitResult(metrics={"max_ap": 0.5, "cosine_ap": 0.5, "max_accuracy": 0.6, "dot_f1": bad})
    with pytest.raises(TaskError, match="task DemoPairClassification: split validation: dot_f1 is"):
        build_result(spec, protocol="cmteb", splits={"validation": split}, cmteb_block={"data": {
            "revision": None, "fingerprint": "x"}}, evaluation_time=0.0)
    split = SplitResult(metrics={"cosine_ap": 0.5}, samples={"cosine": [0.1, bad]})
    with pytest.raises(TaskError, match=r"per-sample cosine\[1\] is"):
        build_result(spec, protocol="cmteb", splits={"validation": split}, cmteb_block={"data": {
            "revision": None, "fingerprint": "x"}}, evaluation_time=0.0)


def test_nothing_is_written_outside_the_output_folders(demo, tmp_path, capsys):
    spoiled = copy_results(demo, tmp_path / "spoiled")
    spoil(spoiled, math.nan)
    before = snapshot(tmp_path)
    for args in (["compare", demo, spoiled, "--report", tmp_path / "r.md"],
                 ["merge", spoiled, "--out", tmp_path / "m"],
                 ["leaderboard", "--results", spoiled, "--benchmark", "demo", "--out", tmp_path / "b"]):
        assert cli(capsys, *args)[0] == 2
    assert snapshot(tmp_path) == before
