"""Issue 16 item 4 through `cmteb run`: each data fault exits 2 with one line naming the file and
line, before any encoding, and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmteb.cli import main

HEADER = "query-id\tcorpus-id\tscore\n"
CORPUS = '{"_id": "d1", "text": "x"}\n{"_id": "d2", "text": "y"}\n'
QUERIES = '{"_id": "q1", "text": "q"}\n'


def _line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False) + "\n"


TASK = """name: Bad
type: {type}
description: a task with one fault in its data
dataset: {{local: data/Bad}}
splits: {{cmteb: [{split}], mteb: [{split}]}}
main_score: {{cmteb: {metric}, mteb: {metric}}}
"""
METRIC = {"Retrieval": "ndcg_at_10", "Reranking": "map", "STS": "cosine_spearman"}

# fault: (type, split, {file: content}, "file:line" the error names)
FAULTS = {
    "qrel given twice": ("Retrieval", "dev", {
        "corpus.jsonl": CORPUS, "queries.jsonl": QUERIES,
        "qrels/dev.tsv": HEADER + "q1\td1\t1\nq1\td1\t0\n"}, "qrels/dev.tsv:3"),
    "qrels all 0": ("Retrieval", "dev", {
        "corpus.jsonl": CORPUS, "queries.jsonl": QUERIES,
        "qrels/dev.tsv": HEADER + "q1\td1\t0\n"}, "qrels/dev.tsv"),
    "reranking query without positive": ("Reranking", "dev", {
        "dev.jsonl": _line(query="q", positive=[], negative=["n"])}, "dev.jsonl:1"),
    "empty query": ("Retrieval", "dev", {
        "corpus.jsonl": CORPUS, "queries.jsonl": '{"_id": "q1", "text": ""}\n',
        "qrels/dev.tsv": HEADER + "q1\td1\t1\n"}, "queries.jsonl:1"),
    "empty passage": ("Retrieval", "dev", {
        "corpus.jsonl": CORPUS + '{"_id": "d3", "text": "  "}\n', "queries.jsonl": QUERIES,
        "qrels/dev.tsv": HEADER + "q1\td1\t1\n"}, "corpus.jsonl:3"),
    "sts score out of range": ("STS", "test", {
        "test.jsonl": _line(sentence1="a", sentence2="b", score=1)
        + _line(sentence1="a", sentence2="c", score=6)}, "test.jsonl:2"),
    "duplicate key in a record": ("STS", "test", {
        "test.jsonl": '{"sentence1": "a", "sentence2": "b", "score": 1, "sentence2": "c"}\n'},
        "test.jsonl:1"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_data_fault_exits_2_naming_file_and_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    task_type, split, files, where = FAULTS[fault]
    task_file = tmp_path / "Bad.yaml"
    task_file.write_text(TASK.format(type=task_type, split=split, metric=METRIC[task_type]))
    for name, content in files.items():
        path = tmp_path / "data" / "Bad" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "results"
    code = main(["run", "--model", "hash", "--task-file", str(task_file), "--output-dir", str(out),
                 "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "Traceback" not in err[0]
    assert f"{tmp_path / 'data' / 'Bad' / where}" in err[0]
    assert not out.exists()
