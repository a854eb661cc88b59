"""`cmteb list` rows and table (cmteb.tasks.listing)."""

from __future__ import annotations

import json

import pytest

from cmteb.cli import main
from cmteb.tasks.listing import render_table, task_rows
from cmteb.tasks.registry import TaskRegistry

KEYS = {"name", "type", "splits", "main_score", "dataset", "version", "expected_size"}


def test_rows_follow_the_contract(registry: TaskRegistry) -> None:
    specs = [registry.get(n) for n in registry.benchmark("C-MTEB").tasks]
    rows = task_rows(specs, "cmteb")
    assert [r["name"] for r in rows] == [s.name for s in specs]
    for row in rows:
        assert set(row) == KEYS
        assert set(row["dataset"]) == {"path", "revision"}
        assert isinstance(row["splits"], list) and isinstance(row["version"], int)
    assert json.loads(json.dumps(rows)) == rows


def test_rows_use_the_protocol(registry: TaskRegistry) -> None:
    specs = [registry.get(n) for n in ("Ocnli", "MultilingualSentiment", "T2Reranking")]
    cmteb = {r["name"]: r for r in task_rows(specs, "cmteb")}
    mteb = {r["name"]: r for r in task_rows(specs, "mteb")}
    assert (cmteb["Ocnli"]["main_score"], mteb["Ocnli"]["main_score"]) == (
        "cosine_ap", "max_accuracy")
    assert (cmteb["T2Reranking"]["main_score"], mteb["T2Reranking"]["main_score"]) == (
        "map", "map_at_1000")
    assert cmteb["MultilingualSentiment"]["splits"] == ["validation"]
    assert mteb["MultilingualSentiment"]["splits"] == ["validation", "test"]
    assert cmteb["Ocnli"]["dataset"] == {
        "path": "C-MTEB/OCNLI", "revision": "66e76a618a34d6d565d5538088562851e6daa7ec"}


def test_rows_apply_benchmark_narrowing(registry: TaskRegistry) -> None:
    bench = registry.benchmark("MTEB(cmn, v1)")
    atec = registry.get("ATEC")
    assert task_rows([atec], "mteb")[0]["splits"] == ["validation", "test"]
    assert task_rows([atec], "mteb", bench)[0]["splits"] == ["test"]


def test_local_task_row(registry: TaskRegistry) -> None:
    (row,) = task_rows([registry.get("DemoSTS")], "cmteb")
    assert row == {"name": "DemoSTS", "type": "STS", "splits": ["test"],
                   "main_score": "cosine_spearman",
                   "dataset": {"path": None, "revision": None}, "version": 1,
                   "expected_size": {"test": {"pairs": 40}}}


def test_table_is_aligned(registry: TaskRegistry) -> None:
    specs = [registry.get(n) for n in ("T2Retrieval", "CMedQAv1-reranking", "DemoSTS")]
    lines = render_table(task_rows(specs, "cmteb")).splitlines()
    assert len(lines) == 2 + len(specs)
    header, rule = lines[0], lines[1]
    assert header.split()[:2] == ["TASK", "TYPE"]
    starts = [i for i, c in enumerate(rule) if c == "-" and (i == 0 or rule[i - 1] == " ")]
    assert len(starts) == 7
    for line in [header, *lines[2:]]:
        for start in starts[1:]:
            assert line[start - 1] == " " and line[start] != " ", line
    assert "cf778c0ea416 " in lines[2] and "cf778c0ea4168" not in lines[2]
    assert "(bundled)" in lines[4]


def test_empty_table_has_a_header() -> None:
    assert render_table([]).splitlines()[0].startswith("TASK")


def test_list_json_gives_expected_size_for_the_35_tasks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--benchmark", "C-MTEB-35", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 35
    for row in rows:
        sizes = row["expected_size"]
        assert set(row["splits"]) <= set(sizes), row["name"]
        assert all(isinstance(n, int) and n > 0 for counts in sizes.values()
                   for n in counts.values()), row["name"]
    by_name = {row["name"]: row["expected_size"] for row in rows}
    assert by_name["STS22"] == {"test": {"pairs": 656}}
    assert by_name["T2Reranking"] == {"dev": {"queries": 5908, "candidates": 97422,
                                              "positives": 44444}}
    assert by_name["TNews"] == {"validation": {"samples": 10000}, "train": {"samples": 53360}}
