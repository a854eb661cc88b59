"""What is compared per task: protocol, metric, splits, protocol variants, settings; plain and
old mteb files."""

from __future__ import annotations

import json

import pytest

from cmteb.compare.baseline import load_result_set
from cmteb.compare.matching import main_value, match_task, plan_task, setting_differences
from cmteb.compare.resultset import TaskFile
from cmteb.tasks.registry import TaskRegistry
from tests.compare.helpers import cmteb_cli
from tests.conftest import SHARED


def cmteb_file(task, scores, protocol="cmteb", **block) -> TaskFile:
    doc = {"task_name": task, "dataset_revision": "rev", "scores": scores,
           "cmteb": {"protocol": protocol, "task_version": 1, "quick": False, **block}}
    return TaskFile(task, doc, None, f"{task}.json")


def entry(**metrics):
    return [{**metrics, "main_score": next(iter(metrics.values())), "hf_subset": "default"}]


def test_protocol_decides_splits_and_metric():
    registry = TaskRegistry()
    sts = cmteb_file("STSB", {"validation": entry(cosine_spearman=0.2),
                              "test": entry(cosine_spearman=0.6)})
    plan = plan_task(sts, None, registry)
    assert (plan.type, plan.metric, plan.splits) == ("STS", "cosine_spearman", ("test",))
    assert main_value(sts, plan) == 0.6
    mteb = plan_task(sts, registry.benchmark("MTEB(cmn, v1)"), registry)  # narrows STSB to test
    assert mteb.protocol == "mteb" and mteb.splits == ("test",)
    ocnli = cmteb_file("Ocnli", {"validation": entry(cosine_ap=0.7, max_accuracy=0.6)})
    assert main_value(ocnli, plan_task(ocnli, registry.benchmark("MTEB(cmn, v1)"), registry)) == 0.6


def test_other_protocol_metric_comes_from_protocol_variants():
    registry = TaskRegistry()
    scores = {"dev": [{"ndcg_at_10": 0.5, "main_score": 0.5,
                       "protocol_variants": {"mteb": {"ndcg_at_10": 0.4}}}]}
    file = cmteb_file("T2Retrieval", scores)
    match = match_task(file, file, registry.benchmark("MTEB(cmn, v1)"), registry)
    assert main_value(file, match.plan) == 0.4
    assert match.plan.samples_usable is False  # the samples hold the cmteb run's values
    same = match_task(file, file, None, registry)
    assert main_value(file, same.plan) == 0.5 and same.plan.samples_usable is True


def test_settings_that_differ_are_listed_not_refused():
    registry = TaskRegistry()
    a = cmteb_file("STSB", {"test": entry(cosine_spearman=0.6)},
                   model_settings={"max_length": 512, "dtype": "fp32"})
    b = cmteb_file("STSB", {"test": entry(cosine_spearman=0.5)},
                   model_settings={"max_length": 16, "dtype": "fp32"})
    match = match_task(a, b, None, registry)
    assert match.mismatches == [] and match.fatal == []
    assert setting_differences(a, b) == [("model_settings.max_length", 512, 16)]


@pytest.mark.slow
def test_plain_and_pre_1_11_mteb_files_are_read(tmp_path, capsys):
    new = {"task_name": "STSB", "dataset_revision": None, "mteb_version": "2.10.8",
           "scores": {"test": [{"cosine_spearman": 0.7, "main_score": 0.7, "hf_subset": "default"}]}}
    old = {"dataset_revision": None, "mteb_dataset_name": "STSB", "mteb_version": "1.1.0",
           "test": {"cos_sim": {"pearson": 0.5, "spearman": 0.6}, "evaluation_time": 1.0}}
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "no_revision_available").mkdir(parents=True)
    (tmp_path / "new" / "STSB.json").write_text(json.dumps(new))
    (tmp_path / "new" / "model_meta.json").write_text(json.dumps({"name": "x"}))  # ignored
    (tmp_path / "old" / "no_revision_available" / "STSB.json").write_text(json.dumps(old))
    loaded = load_result_set(tmp_path / "old").tasks["STSB"]
    assert loaded.doc["scores"]["test"][0]["cosine_spearman"] == 0.6
    code, out, err = cmteb_cli(capsys, "compare", tmp_path / "old", tmp_path / "new")
    assert code == 0, err  # +10 points: an improvement on the main score alone
    row = next(ln for ln in out.splitlines() if ln.startswith("| STSB "))
    assert "| 60.00 | 70.00 | +10.00 |" in row and "main score only" in row and "improvement" in row
    assert "Protocol `not recorded`" in out


@pytest.mark.shared
def test_published_result_files_compare_on_main_scores(capsys):
    refs = SHARED / "refs" / "mteb-results" / "results" / "intfloat__multilingual-e5-small"
    if not refs.is_dir():
        pytest.skip("../shared/refs is not available on this machine")
    folder = refs / "fd1525a9fd15316a2d503bf26ab031a61d056e98"
    code, out, err = cmteb_cli(capsys, "compare", folder, folder)
    assert code == 0, err
    tasks = [ln for ln in out.splitlines() if ln.startswith("| ") and "main score only" in ln]
    assert len(tasks) == len(list(folder.glob("*.json"))) - (folder / "model_meta.json").exists()
