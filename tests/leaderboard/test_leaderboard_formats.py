"""Reading result files of every generation into one shape (formats + discover)."""

from __future__ import annotations

import math

import pytest

from cmteb.errors import UserError
from cmteb.leaderboard.discover import read_result, read_results
from cmteb.leaderboard.formats import flatten, looks_like_result, parse_scores, task_name
from tests.leaderboard.lb_files import cmteb_doc, mteb_doc, old_doc, write_doc

OLD_PAIR = {"validation": {
    "cos_sim": {"accuracy": 0.74, "ap": 0.779}, "dot": {"ap": 0.77},
    "max": {"accuracy": 0.745, "ap": 0.78}, "evaluation_time": 2.1,
}}
OLD_STS22 = {"test": {"evaluation_time": 4.0, "zh": {"cos_sim": {"spearman": 0.68}},
                      "de": {"cos_sim": {"spearman": 0.5}}}}


def test_old_metric_groups_are_flattened_not_taken_for_languages():
    scores, variants = parse_scores(old_doc("Ocnli", OLD_PAIR))
    assert variants == {}
    assert list(scores) == ["validation"]
    assert list(scores["validation"]) == ["default"]
    metrics = scores["validation"]["default"]
    assert metrics["cos_sim.ap"] == 0.779 and metrics["max.accuracy"] == 0.745


def test_old_language_sub_dicts_become_subsets():
    scores, _ = parse_scores(old_doc("STS22", OLD_STS22))
    assert sorted(scores["test"]) == ["de", "zh"]
    assert scores["test"]["zh"] == {"cos_sim.spearman": 0.68}


def test_old_task_names_map_to_current_names():
    assert task_name(old_doc("CMedQAv1", {}), "x") == "CMedQAv1-reranking"
    assert task_name(old_doc("CMedQAv2", {}), "x") == "CMedQAv2-reranking"
    assert task_name({"task_name": "MmarcoReranking"}, "x") == "MMarcoReranking"
    assert task_name({}, "FileStem") == "FileStem"


def test_task_result_subsets_and_protocol_variants():
    doc = cmteb_doc("R", {"dev": {"ndcg_at_10": 0.5}},
                    variants={"dev": {"mteb": {"ndcg_at_10": 0.4}}})
    scores, variants = parse_scores(doc)
    assert scores["dev"]["default"]["ndcg_at_10"] == 0.5
    assert "protocol_variants.mteb.ndcg_at_10" not in scores["dev"]["default"]
    assert variants == {"dev": {"default": {"mteb": {"ndcg_at_10": 0.4}}}}


def test_flatten_keeps_numbers_and_nan_drops_the_rest():
    flat = flatten({"a": 1, "b": float("nan"), "c": [1, 2], "d": "x", "e": True, "f": {"g": 0.5}})
    assert set(flat) == {"a", "b", "f.g"} and math.isnan(flat["b"])


def test_only_task_results_are_recognised():
    assert looks_like_result(mteb_doc("T", {"test": {"default": {"x": 1.0}}}))
    assert looks_like_result(old_doc("T", OLD_PAIR))
    assert not looks_like_result({"name": "org/m", "n_parameters": 5})  # model_meta.json
    assert not looks_like_result([1, 2])


def test_unparseable_scores_name_the_file(tmp_path):
    bad = write_doc(tmp_path, "org__m", "rev", "T", {"task_name": "T", "scores": {"test": 3},
                                                     "mteb_version": "2.0.0"})
    with pytest.raises(UserError, match=r"T\.json: not a readable task result"):
        read_result(bad)


def test_corrupt_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "org__m" / "rev" / "T.json"
    path.parent.mkdir(parents=True)
    path.write_text('{\n"task_name": "T",\n oops', encoding="utf-8")
    with pytest.raises(UserError, match=r"T\.json:3: corrupt JSON"):
        read_results([tmp_path])


def test_layout_gives_model_and_revision_and_skips_non_results(tmp_path):
    write_doc(tmp_path, "BAAI__bge", "no_revision_available", "Ocnli", old_doc("Ocnli", OLD_PAIR))
    write_doc(tmp_path, "BAAI__bge", "no_revision_available", "model_meta", {"name": "BAAI/bge"})
    write_doc(tmp_path, "BAAI__bge", "no_revision_available", "Ocnli.samples", {"task": "Ocnli"})
    write_doc(tmp_path, "BAAI__bge", "no_revision_available", "notes", {"hello": 1})
    (files,) = read_results([tmp_path, tmp_path])  # the same folder twice: read once
    assert (files.model, files.revision, files.task) == ("BAAI/bge", "no_revision_available", "Ocnli")
    assert files.mteb_version == "1.1.0" and files.cmteb is None


def test_cmteb_block_names_the_model(tmp_path):
    write_doc(tmp_path, "local_folder", "local-abc", "T", cmteb_doc("T", {"test": {"x": 0.1}},
                                                                     model="my-model"))
    (file,) = read_results([tmp_path])
    assert file.model == "my-model" and file.producer == "cmteb 0.1.0"


def test_missing_results_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no such folder"):
        read_results([tmp_path / "absent"])
