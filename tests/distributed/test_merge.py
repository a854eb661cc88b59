"""`cmteb merge`: copies result files with their samples, accepts identical duplicates, and refuses
(exit 2, one line per conflict, nothing written) results that differ in scores or settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmteb.cli import main
from cmteb.distributed.merge import difference

BLOCK = {"protocol": "cmteb", "task_version": 1, "model": {"name": "m", "revision": "r"},
         "text_policy": {}, "model_settings": {}, "data": {"fingerprint": "sha256:ab"}, "quick": False}


def result(task: str, score: float, *, date: float = 1.0, **block) -> dict:
    return {"task_name": task, "scores": {"test": [{"main_score": score, "cosine_spearman": score}]},
            "evaluation_time": date, "date": date, "cmteb": {**BLOCK, "timings": {"s": date}, **block}}


def put(folder: Path, task: str, doc: dict, *, samples: bool = True) -> Path:
    path = folder / "m" / "r" / f"{task}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    if samples:
        (path.parent / f"{task}.samples.json").write_text(json.dumps({"task": task, "n": doc["date"]}))
    return path


def test_disjoint_folders_are_copied_byte_for_byte_with_their_samples(tmp_path, capsys):
    a = put(tmp_path / "a", "T1", result("T1", 0.5))
    b = put(tmp_path / "b", "T2", result("T2", 0.25))
    (tmp_path / "b" / "model_meta.json").write_text("{}")  # not a result: ignored
    assert main(["merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "out")]) == 0
    assert "2 result file(s) copied, 0 identical duplicate(s)" in capsys.readouterr().out
    for src in (a, b):
        dst = tmp_path / "out" / "m" / "r" / src.name
        assert dst.read_bytes() == src.read_bytes()
        assert dst.with_name(src.stem + ".samples.json").exists()
    assert not (tmp_path / "out" / "model_meta.json").exists()


def test_identical_duplicates_are_fine_even_with_other_timings(tmp_path, capsys):
    put(tmp_path / "a", "T1", result("T1", 0.5, date=1.0))
    put(tmp_path / "b", "T1", result("T1", 0.5, date=2.0))
    code = main(["merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "out"),
                 "--format", "json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["copied"], summary["identical_duplicates"]) == (1, 1)
    assert json.loads((tmp_path / "out" / "m" / "r" / "T1.json").read_text())["date"] == 1.0  # the first


def test_a_retrieval_run_file_travels_with_its_result(tmp_path, capsys):
    """A merged folder serves as a reranker's --first-stage: the run file is copied too."""
    src = put(tmp_path / "a", "T1", result("T1", 0.5))
    run = src.with_name("T1.run.json.gz")
    run.write_bytes(b"\x1f\x8b run bytes")
    assert main(["merge", str(tmp_path / "a"), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "m" / "r" / "T1.run.json.gz").read_bytes() == run.read_bytes()


@pytest.mark.parametrize(("other", "why"), [
    (result("T1", 0.75), "scores.test[0].cosine_spearman differs (0.5 != 0.75)"),
    (result("T1", 0.5, protocol="mteb"), "made with a different protocol ('cmteb' != 'mteb')"),
])
def test_conflicting_duplicates_exit_2_and_write_nothing(tmp_path, capsys, other, why):
    first = put(tmp_path / "a", "T1", result("T1", 0.5))
    put(tmp_path / "a", "T2", result("T2", 0.1))
    second = put(tmp_path / "b", "T1", other)
    code = main(["merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "out")])
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"cmteb: error: conflict: m/r/T1.json: {first} and {second}: {why}",
                     "cmteb: error: 1 conflicting result file(s); nothing written"]
    assert not (tmp_path / "out").exists()


def test_results_already_in_the_output_folder_count(tmp_path, capsys):
    put(tmp_path / "out", "T1", result("T1", 0.5))
    put(tmp_path / "a", "T1", result("T1", 0.5, date=5.0))
    put(tmp_path / "a", "T2", result("T2", 0.1))
    assert main(["merge", str(tmp_path / "a"), "--out", str(tmp_path / "out")]) == 0
    assert "1 result file(s) copied, 0 identical duplicate(s), 1 already there" in capsys.readouterr().out
    put(tmp_path / "b", "T2", result("T2", 0.2))
    assert main(["merge", str(tmp_path / "b"), "--out", str(tmp_path / "out")]) == 2


def test_an_output_folder_inside_an_input_is_not_read_as_input(tmp_path, capsys):
    put(tmp_path / "all", "T1", result("T1", 0.5))
    out = tmp_path / "all" / "merged"
    for _ in range(2):  # a second merge finds the first one's copies only as already there
        assert main(["merge", str(tmp_path / "all"), "--out", str(out)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert "0 result file(s) copied, 0 identical duplicate(s), 1 already there" in last


def test_missing_folder_and_corrupt_file_are_user_errors(tmp_path, capsys):
    assert main(["merge", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip() == f"cmteb: error: {tmp_path / 'nope'}: no such results folder"
    bad = tmp_path / "a" / "m" / "r" / "T1.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    assert main(["merge", str(tmp_path / "a"), "--out", str(tmp_path / "out")]) == 2
    assert f"{bad}:1: corrupt JSON" in capsys.readouterr().err


def test_difference_names_a_missing_metric():
    a, b = result("T", 0.5), result("T", 0.5)
    del b["scores"]["test"][0]["cosine_spearman"]
    assert difference(a, b) == "scores.test[0].cosine_spearman is missing on one side"
    assert difference(a, result("T", 0.5, date=9.0)) is None
