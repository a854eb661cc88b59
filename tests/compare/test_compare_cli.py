"""`cmteb compare` on real result files (hash model, demo benchmark): the issue's "done when"
cases, mismatches, quick versus full, and the report formats."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.compare.helpers import cmteb_cli, copy_results, demo_results, edit_json, set_main_score

DEMO_TASKS = {"DemoRetrieval", "DemoReranking", "DemoSTS", "DemoPairClassification",
              "DemoClassification", "DemoClustering"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_results(tmp_path_factory.mktemp("demo"))


def degrade_retrieval(folder):
    """Every query's nDCG@10 set to 0, and the result's main score to their mean (0)."""
    def change(doc):
        doc["splits"]["dev"]["ndcg_at_10"] = [0.0] * len(doc["splits"]["dev"]["ndcg_at_10"])
    edit_json(folder / "DemoRetrieval.samples.json", change)
    set_main_score(folder, "DemoRetrieval", "ndcg_at_10", 0.0)


def test_a_result_set_compared_with_itself_is_all_unchanged(demo, capsys):
    code, out, err = cmteb_cli(capsys, "compare", demo, demo, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert {row["task"] for row in doc["tasks"]} == DEMO_TASKS
    assert doc["summary"] == {"regression": 0, "improvement": 0, "unchanged": 6}
    for row in doc["tasks"]:
        assert row["delta"] == 0.0 and row["p_value"] == 1.0 and row["test"], row
    assert doc["overall"]["tasks"] == 6 and doc["overall"]["delta"] == 0.0


def test_one_degraded_task_exits_1_naming_it_with_delta_and_p(demo, tmp_path, capsys):
    worse = copy_results(demo, tmp_path / "worse")
    degrade_retrieval(worse)
    baseline = json.loads((demo / "DemoRetrieval.json").read_text())["scores"]["dev"][0]["ndcg_at_10"]
    code, out, err = cmteb_cli(capsys, "compare", demo, worse)
    assert code == 1
    lines = [ln for ln in err.splitlines() if ln.startswith("cmteb: regression:")]
    assert len(lines) == 1 and "DemoRetrieval" in lines[0], err
    assert f"{-100 * baseline:+.2f} points" in lines[0] and "p=" in lines[0]
    p_value = float(lines[0].split("p=")[1].rstrip(")"))
    # 12 of the 20 queries lose, none gains: the exact p is 2/2^12; a 2,000-resample estimate
    # (scipy counts the observed value too) stays far below 0.05
    assert p_value < 0.01
    row = next(ln for ln in out.splitlines() if ln.startswith("| DemoRetrieval "))
    assert "**regression**" in row and f"{-100 * baseline:+.2f}" in row
    assert sum("| unchanged |" in ln for ln in out.splitlines()) == 5


def test_mismatched_protocols_exit_2_unless_allowed(demo, tmp_path, capsys):
    other = copy_results(demo, tmp_path / "other")
    edit_json(other / "DemoSTS.json", lambda doc: doc["cmteb"].update(protocol="mteb"))
    code, out, err = cmteb_cli(capsys, "compare", demo, other)
    assert code == 2 and out == ""
    assert err.strip() == ("cmteb: error: task DemoSTS: protocol differs (baseline cmteb, "
                           "candidate mteb) (use --allow-mismatch to compare anyway)")
    code, out, err = cmteb_cli(capsys, "compare", demo, other, "--allow-mismatch")
    assert code == 0, err
    assert "Accepted with --allow-mismatch: task DemoSTS: protocol differs" in out


def test_different_data_and_missing_split_exit_2_one_line_each(demo, tmp_path, capsys):
    other = copy_results(demo, tmp_path / "other")
    edit_json(other / "DemoSTS.json", lambda doc: doc.update(dataset_revision="sha256:other"))
    edit_json(other / "DemoClustering.json",
              lambda doc: doc.update(scores={"validation": doc["scores"]["test"]}))
    edit_json(other / "DemoClustering.samples.json",
              lambda doc: doc.update(splits={"validation": doc["splits"]["test"]}))
    code, _, err = cmteb_cli(capsys, "compare", demo, other)
    assert code == 2
    lines = err.strip().splitlines()
    assert any(ln.startswith("cmteb: error: task DemoSTS: data differs") for ln in lines)
    assert any("task DemoClustering: split test missing in the candidate" in ln for ln in lines)
    assert any("task DemoClustering: no split of test on both sides" in ln for ln in lines)


def test_a_task_missing_from_the_candidate_is_unusable(demo, tmp_path, capsys):
    partial = copy_results(demo, tmp_path / "partial")
    (partial / "DemoSTS.json").unlink()
    code, _, err = cmteb_cli(capsys, "compare", demo, partial)
    assert code == 2 and "task DemoSTS: in the baseline but not in the candidate" in err
    code, out, _ = cmteb_cli(capsys, "compare", partial, demo)  # extra candidate tasks are fine
    assert code == 0 and "Only in the candidate (not compared): DemoSTS" in out


def test_samples_that_do_not_reproduce_the_main_score_are_refused(demo, tmp_path, capsys):
    tampered = copy_results(demo, tmp_path / "tampered")
    edit_json(tampered / "DemoSTS.samples.json",
              lambda doc: doc["splits"]["test"].update(cosine=list(-np.asarray(
                  doc["splits"]["test"]["cosine"])))
              )
    code, _, err = cmteb_cli(capsys, "compare", demo, tampered)
    assert code == 2 and "task DemoSTS: the per-sample scores beside" in err
    assert "the files do not belong together" in err


def test_without_samples_a_task_is_compared_on_its_main_score_alone(demo, tmp_path, capsys):
    bare = copy_results(demo, tmp_path / "bare")
    (bare / "DemoClustering.samples.json").unlink()
    set_main_score(bare, "DemoClustering", "v_measure", 0.0)
    code, out, err = cmteb_cli(capsys, "compare", demo, bare)
    assert code == 1  # beyond tolerance; without a test that is enough
    row = next(ln for ln in out.splitlines() if ln.startswith("| DemoClustering "))
    assert "main score only [1]" in row and "**regression**" in row
    assert "[1] no per-sample scores on both sides." in out
    assert "DemoClustering" in err and "main score only" in err


def test_quick_results_never_meet_full_ones(demo, tmp_path, capsys):
    quick = demo_results(tmp_path, quick=True)
    code, _, err = cmteb_cli(capsys, "compare", demo, quick, "--allow-mismatch")
    assert code == 2
    assert "quick results are never compared with full ones (baseline full, candidate quick)" in err
    copy_results(demo, tmp_path / "hash" / "hash-v1")  # both revisions under one model folder
    code, _, err = cmteb_cli(capsys, "compare", tmp_path / "hash", tmp_path / "hash")
    assert code == 2 and "quick and full results side by side" in err
    code, _, err = cmteb_cli(capsys, "compare", quick, quick)
    assert code == 0, err


def test_report_file_and_benchmark_selection(demo, tmp_path, capsys):
    report = tmp_path / "out" / "report.md"
    code, out, _ = cmteb_cli(capsys, "compare", demo, demo, "--benchmark", "demo", "--report", report)
    assert code == 0
    assert report.read_text(encoding="utf-8").rstrip("\n") == out.rstrip("\n")
    table = [ln for ln in out.splitlines() if ln.startswith("| Demo")]
    assert [ln.split("|")[1].strip() for ln in table] == [
        "DemoRetrieval", "DemoReranking", "DemoSTS", "DemoPairClassification",
        "DemoClassification", "DemoClustering"]  # the benchmark's order
    code, _, err = cmteb_cli(capsys, "compare", demo, demo, "--benchmark", "C-MTEB")
    assert code == 2 and "task T2Retrieval: no result in the baseline" in err


@pytest.mark.parametrize(("args", "message"), [
    (["--tolerance", "-1"], "--tolerance: must be a finite number >= 0"),
    (["--alpha", "1.5"], "--alpha: must be between 0 and 1"),
    (["--resamples", "0"], "--resamples: must be from 1 to 100000"),
    (["--resamples", "1000000000"], "--resamples: must be from 1 to 100000"),
])
def test_bad_options_exit_2(demo, capsys, args, message):
    with pytest.raises(SystemExit) as info:
        cmteb_cli(capsys, "compare", demo, demo, *args)
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_unusable_paths_exit_2(tmp_path, capsys):
    code, _, err = cmteb_cli(capsys, "compare", tmp_path / "nope", tmp_path)
    assert code == 2 and "no such results folder or baseline file" in err
    (tmp_path / "empty").mkdir()
    code, _, err = cmteb_cli(capsys, "compare", tmp_path / "empty", tmp_path / "empty")
    assert code == 2 and "no task result files found" in err
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    code, _, err = cmteb_cli(capsys, "compare", tmp_path / "bad.json", tmp_path / "empty")
    assert code == 2 and "not a cmteb baseline file" in err
