"""Publishing where the field publishes: result folders in the layout of embeddings-benchmark/results
read back by the pinned mteb with equal scores, and a model-card model-index block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import cmteb
from cmteb.cli import main as cli_main
from cmteb.leaderboard.build import build_leaderboard
from cmteb.leaderboard.model_card import HF_TASK_TYPES, model_card_text
from cmteb.leaderboard.results_repo import export_results
from cmteb.tasks.registry import TaskRegistry
from tests.leaderboard.lb_files import run_cmteb


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    cmteb.evaluate("hash", benchmark="demo", output_dir=root)
    return root


def mteb_main_score(result: dict, task: str) -> float:
    """The mteb protocol's main score as cmteb recorded it: the metric of the task's mteb main
    score, from the mteb variant where the two protocols differ, mean over the stored splits."""
    metric = TaskRegistry().get(task).main_metric("mteb")
    values = [{**entry, **entry.get("protocol_variants", {}).get("mteb", {})}[metric]
              for entries in result["scores"].values() for entry in entries]
    return sum(values) / len(values)


def test_the_pinned_mteb_reads_the_export_back_with_equal_scores(demo_run, tmp_path):
    from mteb.cache import ResultCache

    out = tmp_path / "export"
    proc = run_cmteb("leaderboard", "--results", str(demo_run), "--benchmark", "demo", "--no-plots",
               "--resamples", "0", "--out", str(tmp_path / "lb"), "--export-results", str(out),
               "--model-card", "hash")
    assert proc.returncode == 0, proc.stderr
    assert "not a task of mteb" in proc.stderr  # the demo tasks are cmteb's own, and it says so
    folder = out / "results" / "hash" / "hash-v1"
    assert (folder / "model_meta.json").is_file()
    loaded = ResultCache(out).load_results(include_remote=False)
    (model,) = loaded.model_results
    assert (model.model_name, model.model_revision) == ("hash", "hash-v1")
    tasks = {t.task_name: t for t in model.task_results}
    assert set(tasks) == {p.stem for p in (demo_run / "hash" / "hash-v1").glob("Demo*.json")
                          if not p.name.endswith(".samples.json")}
    for name, result in tasks.items():
        exported = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        assert set(result.scores) == set(exported["scores"]), name
        for split, entries in exported["scores"].items():
            for theirs, ours in zip(result.scores[split], entries, strict=True):
                assert {k: v for k, v in theirs.items() if k in ours} == ours, (name, split)
                assert set(theirs) - set(ours) <= {"mteb_version"}  # mteb notes its version
        ours = json.loads((demo_run / "hash" / "hash-v1" / f"{name}.json").read_text(encoding="utf-8"))
        assert result.get_score() == mteb_main_score(ours, name), name
        assert "cmteb" not in exported and all(
            "protocol_variants" not in e for entries in exported["scores"].values() for e in entries)
    card = front_matter((tmp_path / "lb" / "model-cards" / "hash.md").read_text(encoding="utf-8"))
    assert len(card["model-index"][0]["results"]) == 6


def test_export_never_overwrites_other_results(demo_run, tmp_path, capsys):
    board = build_leaderboard([demo_run], "demo", resamples=0)
    files = export_results(board).files
    clone = tmp_path / "clone"
    theirs = clone / next(iter(files))
    theirs.parent.mkdir(parents=True)
    theirs.write_text("{}", encoding="utf-8")
    code = cli_main(["leaderboard", "--results", str(demo_run), "--benchmark", "demo", "--no-plots",
                     "--resamples", "0", "--out", str(tmp_path / "lb"), "--export-results", str(clone)])
    assert code == 2 and "would overwrite different existing files" in capsys.readouterr().err
    assert theirs.read_text(encoding="utf-8") == "{}"
    assert not (tmp_path / "lb").exists()  # nothing written at all


def test_results_of_other_producers_are_not_exported(tmp_path):
    from tests.leaderboard.lb_files import mteb_doc, write_doc

    write_doc(tmp_path, "org__m", "r", "DemoSTS",
              mteb_doc("DemoSTS", {"test": {"default": {"cosine_spearman": 0.5}}}))
    export = export_results(build_leaderboard([tmp_path], "demo", resamples=0))
    assert export.files == {} and "not written by cmteb" in export.notes[0]


def front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_model_card_block_is_yaml_with_one_entry_per_task(demo_run):
    from huggingface_hub.repocard_data import model_index_to_eval_results

    board = build_leaderboard([demo_run], "demo", resamples=0)
    meta = front_matter(model_card_text(board, "hash"))
    assert "mteb" in meta["tags"]
    (index,) = meta["model-index"]
    assert index["name"] == "hash"
    assert len(index["results"]) == len(board.conventions)
    name, results = model_index_to_eval_results(meta["model-index"])
    assert name == "hash"
    row = board.rows[0]
    for conv, result in zip(board.conventions, results, strict=True):
        assert result.dataset_name == f"{conv.task} ({conv.subset})"
        assert result.task_type == HF_TASK_TYPES[conv.type] and result.dataset_split == "+".join(conv.splits)
        assert result.metric_type == conv.metric
        assert result.metric_value == pytest.approx(row.tasks[conv.task].raw / 100, abs=1e-8)


def test_an_unknown_model_card_name_writes_nothing(demo_run, tmp_path, capsys):
    code = cli_main(["leaderboard", "--results", str(demo_run), "--benchmark", "demo", "--no-plots",
                     "--resamples", "0", "--out", str(tmp_path / "lb"), "--model-card", "hashh"])
    assert code == 2 and "did you mean: hash" in capsys.readouterr().err
    assert not (tmp_path / "lb").exists()


def test_a_revision_that_is_not_a_folder_name_is_not_exported(tmp_path):
    from tests.leaderboard.lb_files import cmteb_doc, write_doc

    doc = cmteb_doc("DemoSTS", {"test": {"cosine_spearman": 0.5}}, model="org/m")
    doc["cmteb"]["model"]["revision"] = "../../escaped"
    write_doc(tmp_path / "results", "org__m", "rev", "DemoSTS", doc)
    export = export_results(build_leaderboard([tmp_path / "results"], "demo", resamples=0))
    assert export.files == {} and "cannot be a folder name" in export.notes[0]


def test_an_export_folder_that_cannot_be_written_leaves_out_unwritten_too(demo_run, tmp_path, capsys):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    blocked = tmp_path / "a-file" / "clone"  # its parent is a file: the export cannot be staged
    code = cli_main(["leaderboard", "--results", str(demo_run), "--benchmark", "demo", "--no-plots",
                     "--resamples", "0", "--out", str(tmp_path / "lb"), "--export-results", str(blocked)])
    err = capsys.readouterr().err
    assert code == 2 and f"{blocked}: cannot write here" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "lb").exists()  # the leaderboard is written with its export or not at all
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # no staging folder left
