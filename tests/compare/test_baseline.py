"""`cmteb baseline save/check`: a reviewable baseline file per model, checked like `compare`."""

from __future__ import annotations

import json

import pytest

from cmteb.compare.baseline import dumps
from tests.compare.helpers import cmteb_cli, copy_results, demo_results, edit_json, set_main_score


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_results(tmp_path_factory.mktemp("demo"))


def test_save_then_check_round_trip(demo, tmp_path, capsys):
    baselines = tmp_path / "baselines"
    code, out, err = cmteb_cli(capsys, "baseline", "save", demo, "--baselines-dir", baselines)
    assert code == 0, err
    path = baselines / "hash.json"
    assert f"written to {path}" in out
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "cmteb-baseline/1" and doc["model"] == "hash" and doc["quick"] is False
    result = json.loads((demo / "DemoSTS.json").read_text(encoding="utf-8"))
    assert doc["summary"]["DemoSTS"] == {
        "type": "STS", "metric": "cosine_spearman",
        "score": round(100 * result["scores"]["test"][0]["cosine_spearman"], 2),
        "samples": {"test": 40}}
    stored = doc["tasks"]["DemoSTS"]
    assert stored["result"]["scores"] == result["scores"]
    assert "date" not in stored["result"] and "hardware" not in stored["result"]["cmteb"]
    samples = json.loads((demo / "DemoSTS.samples.json").read_text(encoding="utf-8"))
    assert stored["samples"] == samples["splits"]
    code, out, err = cmteb_cli(capsys, "baseline", "check", demo, "--baselines-dir", baselines)
    assert code == 0, err
    assert "6 unchanged" in out and f"`{path}`" in out


def test_check_flags_a_regression_and_save_never_silently_replaces(demo, tmp_path, capsys):
    baselines = tmp_path / "baselines"
    assert cmteb_cli(capsys, "baseline", "save", demo, "--baselines-dir", baselines)[0] == 0
    worse = copy_results(demo, tmp_path / "worse")
    edit_json(worse / "DemoRetrieval.samples.json",
              lambda doc: doc["splits"]["dev"].update(ndcg_at_10=[0.0] * 20))
    set_main_score(worse, "DemoRetrieval", "ndcg_at_10", 0.0)
    code, _, err = cmteb_cli(capsys, "baseline", "check", worse, "--baselines-dir", baselines)
    assert code == 1 and "cmteb: regression: DemoRetrieval" in err
    code, _, err = cmteb_cli(capsys, "baseline", "save", worse, "--baselines-dir", baselines)
    assert code == 2 and "baseline exists; pass --update" in err
    code, _, _ = cmteb_cli(capsys, "baseline", "save", worse, "--baselines-dir", baselines, "--update")
    assert code == 0
    assert cmteb_cli(capsys, "baseline", "check", worse, "--baselines-dir", baselines)[0] == 0


def test_quick_results_get_their_own_baseline_file(demo, tmp_path, capsys):
    quick = demo_results(tmp_path / "results", quick=True)
    baselines = tmp_path / "baselines"
    assert cmteb_cli(capsys, "baseline", "save", quick, "--baselines-dir", baselines)[0] == 0
    assert (baselines / "hash.quick.json").is_file()
    code, _, err = cmteb_cli(capsys, "baseline", "check", demo, "--baselines-dir", baselines)
    assert code == 2 and "hash.json: no baseline file" in err
    code, _, err = cmteb_cli(capsys, "baseline", "check", demo, "--baseline",
                             baselines / "hash.quick.json")
    assert code == 2 and "quick results are never compared with full ones" in err


def test_layout_keeps_number_lists_on_one_line():
    text = dumps({"a": {"scores": [0.5, 1.0], "rows": [{"x": 1}]}, "b": None})
    assert text == ('{\n  "a": {\n    "scores": [0.5, 1.0],\n    "rows": [\n      {\n'
                    '        "x": 1\n      }\n    ]\n  },\n  "b": null\n}')
    assert json.loads(text) == {"a": {"scores": [0.5, 1.0], "rows": [{"x": 1}]}, "b": None}
