"""Scoring one file under a benchmark's convention, and choosing among a model's files."""

from __future__ import annotations

import pytest

from cmteb.leaderboard.choose import choose, group_by_model, newest_first
from cmteb.leaderboard.convention import conventions, file_protocol, metric_keys, read_score
from cmteb.tasks.registry import TaskRegistry
from tests.leaderboard.lb_files import convention, result_file

CMTEB = {"protocol": "cmteb", "quick": False, "task_version": 1,
         "data": {"kind": "hub", "revision": "pinned"}}


def test_metric_keys_cover_old_generations():
    assert metric_keys("cosine_ap") == ["cosine_ap", "cos_sim.ap", "cos_sim_ap"]
    assert metric_keys("max_accuracy") == ["max_accuracy", "max.accuracy"]
    assert metric_keys("ndcg_at_10") == ["ndcg_at_10"]


@pytest.mark.parametrize("key", ["cosine_ap", "cos_sim.ap", "cos_sim_ap"])
def test_pair_classification_ap_is_read_from_each_generation(key):
    file = result_file({"validation": {"default": {key: 0.7794, "max.ap": 0.9}}})
    conv = convention(task_type="PairClassification", metric="cosine_ap", splits=("validation",))
    reading = read_score(file, conv)
    assert reading.value == pytest.approx(77.94) and reading.metric == "cosine_ap"


def test_score_is_the_mean_over_the_conventions_splits():
    # MultilingualSentiment under protocol mteb: validation and test, as mteb's get_score.
    file = result_file({"validation": {"default": {"accuracy": 0.70}},
                        "test": {"default": {"accuracy": 0.60}}})
    conv = convention(task_type="Classification", metric="accuracy", splits=("validation", "test"))
    assert read_score(file, conv).value == pytest.approx((0.70 + 0.60) / 2 * 100)


def test_missing_split_subset_metric_and_nan_are_reasons():
    file = result_file({"test": {"de": {"cosine_spearman": 0.5}}})
    assert read_score(file, convention(splits=("validation",))).problem == "no split validation (has test)"
    assert read_score(file, convention(subset="zh")).problem == "no subset zh in test (has de)"
    assert read_score(file, convention(subset="de", metric="v_measure")).problem == "no v_measure in the file"
    nan = result_file({"test": {"default": {"cosine_spearman": float("nan")}}})
    assert read_score(nan, convention()).problem == "cosine_spearman is not a number in the file"


def test_reranking_map_and_map_at_1000_stand_in_with_a_mark():
    only_new = result_file({"test": {"default": {"map_at_1000": 0.64683}}})
    reading = read_score(only_new, convention(task_type="Reranking", metric="map"))
    assert reading.value == pytest.approx(64.683) and reading.metric == "map_at_1000"
    assert reading.deviations == ("map_at_1000 stands in for map (the file has no map)",)
    both = result_file({"test": {"default": {"map_at_1000": 0.6, "map": 0.7}}})
    assert read_score(both, convention(task_type="Reranking", metric="map")).deviations == ()
    # only reranking substitutes: an STS file never falls back to another metric
    assert read_score(only_new, convention(metric="map")).problem == "no map in the file"


def test_cmteb_protocol_variants_serve_the_other_protocol_without_a_mark():
    scores = {"dev": {"default": {"ndcg_at_10": 0.50}}}
    variants = {"dev": {"default": {"mteb": {"ndcg_at_10": 0.40}}}}
    file = result_file(scores, variants=variants, cmteb=CMTEB)
    conv = convention(task_type="Retrieval", metric="ndcg_at_10", splits=("dev",))
    assert read_score(file, conv).value == pytest.approx(50.0)
    mteb_conv = convention(task_type="Retrieval", metric="ndcg_at_10", splits=("dev",), protocol="mteb")
    reading = read_score(file, mteb_conv)
    assert reading.value == pytest.approx(40.0) and reading.deviations == ()


@pytest.mark.parametrize(("version", "protocol"), [
    ("1.0.2", "cmteb"), ("1.1.1.dev0", "cmteb"), ("1.12.75", None), ("2.1.17", "mteb"), (None, None),
])
def test_protocol_of_other_tools_files_follows_the_mteb_version(version, protocol):
    assert file_protocol(result_file({}, mteb_version=version)) == protocol


def test_retrieval_from_another_procedure_is_marked():
    scores = {"dev": {"default": {"ndcg_at_10": 0.5}}}
    conv = convention(task_type="Retrieval", metric="ndcg_at_10", splits=("dev",))
    assert read_score(result_file(scores, mteb_version="1.1.0"), conv).deviations == ()
    (new,) = read_score(result_file(scores, mteb_version="2.1.17"), conv).deviations
    assert "mteb 2.1.17" in new and "protocol cmteb" in new
    (unknown,) = read_score(result_file(scores, mteb_version="1.12.75"), conv).deviations
    assert "unknown" in unknown
    # other task types follow the same procedure in both protocols: no mark
    sts = result_file({"test": {"default": {"cosine_spearman": 0.5}}}, mteb_version="2.1.17")
    assert read_score(sts, convention()).deviations == ()


@pytest.mark.parametrize(("change", "expected"), [
    ({"quick": True}, "quick run (subsampled data)"),
    ({"task_version": 2}, "task version 2 (the registry has 1)"),
    ({"data": {"kind": "hub", "revision": "other"}}, "dataset revision other (the task pins pinned)"),
    ({"data": {"kind": "local", "revision": None}}, "local copy of the data"),
])
def test_recorded_settings_that_differ_are_marked(change, expected):
    file = result_file({"test": {"default": {"cosine_spearman": 0.5}}}, cmteb={**CMTEB, **change})
    (note,) = read_score(file, convention()).deviations
    assert note.startswith(expected)
    assert read_score(result_file(file.scores, cmteb=CMTEB), convention()).deviations == ()


def test_newest_mteb_version_first_then_date():
    a = result_file({}, mteb_version="1.12.75", date=5.0, path="/a")
    b = result_file({}, mteb_version="2.1.17", date=1.0, path="/b")
    c = result_file({}, mteb_version="2.1.17", date=2.0, path="/c")
    d = result_file({}, mteb_version=None, path="/d")
    assert [f.path.name for f in newest_first([a, b, c, d])] == ["c", "b", "a", "d"]


def test_choose_takes_the_newest_file_that_has_the_subset():
    # e5-large's STS22: the newest file holds only de/es, an older one has zh.
    newer = result_file({"test": {"de": {"cosine_spearman": 0.1}}}, mteb_version="2.0.0", revision="new")
    older = result_file({"test": {"zh": {"cos_sim.spearman": 0.66725}}}, mteb_version="1.0.2",
                        revision="old")
    score = choose([newer, older], convention(subset="zh"), strict=False)
    assert score.source is older and score.raw == pytest.approx(66.725)
    missing = choose([newer], convention(subset="zh"), strict=False)
    assert missing.raw is None and missing.missing.startswith("no subset zh in test (has de) (new/T.json)")
    assert choose([], convention(), strict=False).missing == "no result file"


def test_strict_skips_deviating_files_for_an_exact_older_one():
    newer = result_file({"test": {"default": {"map_at_1000": 0.6}}}, mteb_version="2.0.0")
    older = result_file({"test": {"default": {"map": 0.7}}}, mteb_version="1.1.0")
    conv = convention(task_type="Reranking", metric="map")
    assert choose([newer, older], conv, strict=False).source is newer
    assert choose([newer, older], conv, strict=True).source is older
    alone = choose([newer], conv, strict=True)
    assert alone.raw is None and "differs from the convention" in alone.missing


def test_group_by_model_matches_task_names_case_insensitively():
    f = result_file({}, task="mmarcoreranking")
    assert group_by_model([f], {"MMarcoReranking"}) == {"org/m": {"MMarcoReranking": [f]}}
    assert group_by_model([f], {"Other"}) == {}


def test_conventions_follow_the_benchmark_protocol_and_split_narrowing():
    registry = TaskRegistry()
    c35 = {c.task: c for c in conventions(registry.benchmark("C-MTEB-35"), registry)}
    assert (c35["STS22"].subset, c35["STS22"].splits) == ("zh", ("test",))
    assert c35["Ocnli"].metric == "cosine_ap" and c35["MMarcoReranking"].metric == "map"
    assert c35["MultilingualSentiment"].splits == ("validation",)
    cmn = {c.task: c for c in conventions(registry.benchmark("MTEB(cmn, v1)"), registry)}
    assert cmn["Ocnli"].metric == "max_accuracy" and cmn["MMarcoReranking"].metric == "map_at_1000"
    assert cmn["MultilingualSentiment"].splits == ("validation", "test")
    assert cmn["ATEC"].splits == ("test",)  # narrowed by the manifest
