"""Every local validation error: a one-line UserError naming the file (and line)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmteb.data.local import LocalTaskFolder
from tests.data.helpers import raises_user_error, write_text

STS_OK = json.dumps({"sentence1": "a", "sentence2": "b", "score": 1.0})
CORPUS = '{"_id": "d1", "title": "", "text": "x"}\n{"_id": "d2", "text": "y"}\n'
QUERIES = '{"_id": "q1", "text": "q"}\n'
HEADER = "query-id\tcorpus-id\tscore\n"
QRELS = HEADER + "q1\td1\t1\n"


def _line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False) + "\n"


# (task type, {relative file: content}, split, file the error names, fragments of the message)
CASES = {
    "malformed json": ("STS", {"test.jsonl": STS_OK + "\n{\"sentence1\": \n"}, "test",
                       "test.jsonl:2", ["malformed JSON"]),
    "not an object": ("STS", {"test.jsonl": STS_OK + "\n[1, 2]\n"}, "test",
                      "test.jsonl:2", ["expected a JSON object, got list"]),
    "missing field": ("STS", {"test.jsonl": _line(sentence1="a", score=1)}, "test",
                      "test.jsonl:1", ["missing field 'sentence2'"]),
    "score not a number": ("STS", {"test.jsonl": STS_OK + "\n" + _line(
        sentence1="a", sentence2="b", score="4")}, "test", "test.jsonl:2",
        ["'score' must be a number, got string"]),
    "score bool": ("STS", {"test.jsonl": _line(sentence1="a", sentence2="b", score=True)},
                   "test", "test.jsonl:1", ["'score' must be a number, got bool"]),
    "score nan": ("STS", {"test.jsonl": '{"sentence1": "a", "sentence2": "b", "score": NaN}\n'},
                  "test", "test.jsonl:1", ["must be finite"]),
    "score beyond float": ("STS", {"test.jsonl": '{"sentence1": "a", "sentence2": "b", "score": 1'
                                                 + "0" * 400 + "}\n"}, "test", "test.jsonl:1",
                           ["'score' must be finite"]),
    "sentence not str": ("STS", {"test.jsonl": _line(sentence1=3, sentence2="b", score=1)},
                         "test", "test.jsonl:1", ["'sentence1' must be a string, got int"]),
    "lone surrogate": ("STS", {"test.jsonl": '{"sentence1": "\\ud800", "sentence2": "b", '
                               '"score": 1}\n'}, "test", "test.jsonl:1", ["surrogate"]),
    "empty file": ("STS", {"test.jsonl": "\n  \n"}, "test", "test.jsonl", ["empty file"]),
    "missing split": ("STS", {"dev.jsonl": STS_OK}, "test", "test.jsonl",
                      ["missing split file"]),
    "pair label 2": ("PairClassification", {"validation.jsonl": _line(
        sentence1="a", sentence2="b", label=2)}, "validation", "validation.jsonl:1",
        ["must be 0 or 1"]),
    "pair label bool": ("PairClassification", {"validation.jsonl": _line(
        sentence1="a", sentence2="b", label=True)}, "validation", "validation.jsonl:1",
        ["'label' must be an integer, got bool"]),
    "class label str": ("Classification", {"train.jsonl": _line(text="t", label=0),
                                           "test.jsonl": _line(text="t", label="0")},
                        "test", "test.jsonl:1", ["'label' must be an integer, got string"]),
    "class label float": ("Classification", {"train.jsonl": _line(text="t", label=1.0),
                                             "test.jsonl": _line(text="t", label=1)},
                          "test", "train.jsonl:1", ["'label' must be an integer, got float"]),
    "class missing train": ("Classification", {"test.jsonl": _line(text="t", label=0)},
                            "test", "train.jsonl", ["missing classification train split file"]),
    "clustering lengths": ("Clustering", {"test.jsonl": _line(sentences=["a", "b"], labels=[1])},
                           "test", "test.jsonl:1", ["2 sentences but 1 labels"]),
    "clustering not list": ("Clustering", {"test.jsonl": _line(sentences="a b", labels=[1])},
                            "test", "test.jsonl:1", ["'sentences' must be a list of strings"]),
    "clustering label bool": ("Clustering", {"test.jsonl": _line(sentences=["a"], labels=[True])},
                              "test", "test.jsonl:1", ["'labels' must be a list of strings or"]),
    "clustering empty set": ("Clustering", {"test.jsonl": _line(sentences=[], labels=[])},
                             "test", "test.jsonl:1", ["empty clustering set"]),
    "rerank negative not list": ("Reranking", {"dev.jsonl": _line(query="q", positive=["p"],
                                                                  negative="n")},
                                 "dev", "dev.jsonl:1", ["'negative' must be a list of strings"]),
    "missing corpus": ("Retrieval", {"queries.jsonl": QUERIES, "qrels/dev.tsv": QRELS},
                       "dev", "corpus.jsonl", ["missing retrieval corpus file"]),
    "missing queries": ("Retrieval", {"corpus.jsonl": CORPUS, "qrels/dev.tsv": QRELS},
                        "dev", "queries.jsonl", ["missing retrieval queries file"]),
    "missing qrels": ("Retrieval", {"corpus.jsonl": CORPUS, "queries.jsonl": QUERIES},
                      "dev", "qrels/dev.tsv", ["missing split file"]),
    "tsv header": ("Retrieval", {"corpus.jsonl": CORPUS, "queries.jsonl": QUERIES,
                                 "qrels/dev.tsv": "qid\tdid\tscore\nq1\td1\t1\n"},
                   "dev", "qrels/dev.tsv:1", ["header must be"]),
    "tsv fields": ("Retrieval", {"corpus.jsonl": CORPUS, "queries.jsonl": QUERIES,
                                 "qrels/dev.tsv": HEADER + "q1\td1\n"},
                   "dev", "qrels/dev.tsv:2", ["expected 3 tab-separated fields"]),
    "tsv score": ("Retrieval", {"corpus.jsonl": CORPUS, "queries.jsonl": QUERIES,
                                "qrels/dev.tsv": HEADER + "q1\td1\t1\nq1\td2\t1.5\n"},
                  "dev", "qrels/dev.tsv:3", ["score must be an integer"]),
    "tsv empty": ("Retrieval", {"corpus.jsonl": CORPUS, "queries.jsonl": QUERIES,
                                "qrels/dev.tsv": HEADER}, "dev", "qrels/dev.tsv", ["header only"]),
    "unknown query": ("Retrieval", {"corpus.jsonl": CORPUS, "queries.jsonl": QUERIES,
                                    "qrels/dev.tsv": HEADER + "q1\td1\t1\nq9\td1\t1\n"},
                      "dev", "qrels/dev.tsv:3", ["query id 'q9' is not in the queries"]),
    "unknown doc": ("Retrieval", {"corpus.jsonl": CORPUS, "queries.jsonl": QUERIES,
                                  "qrels/dev.tsv": HEADER + "q1\td7\t1\n"},
                    "dev", "qrels/dev.tsv:2", ["corpus id 'd7' is not in the corpus"]),
    "duplicate doc id": ("Retrieval", {"corpus.jsonl": CORPUS + '{"_id": "d1", "text": "z"}\n',
                                       "queries.jsonl": QUERIES,
                                       "qrels/dev.tsv": QRELS},
                         "dev", "corpus.jsonl:3", ["duplicate _id 'd1'"]),
    "duplicate query id": ("Retrieval", {"corpus.jsonl": CORPUS, "queries.jsonl": QUERIES * 2,
                                         "qrels/dev.tsv": QRELS},
                           "dev", "queries.jsonl:2", ["duplicate _id 'q1'"]),
    "int doc id": ("Retrieval", {"corpus.jsonl": '{"_id": 1, "text": "x"}\n',
                                 "queries.jsonl": QUERIES, "qrels/dev.tsv": HEADER + "q1\t1\t1\n"},
                   "dev", "corpus.jsonl:1", ["'_id' must be a string, got int"]),
    "title not str": ("Retrieval", {"corpus.jsonl": '{"_id": "d1", "title": null, "text": "x"}\n',
                                    "queries.jsonl": QUERIES,
                                    "qrels/dev.tsv": QRELS},
                      "dev", "corpus.jsonl:1", ["'title' must be a string, got null"]),
    # issue 16 item 4: gaps that were accepted before
    "qrel given twice": ("Retrieval", {"corpus.jsonl": CORPUS, "queries.jsonl": QUERIES,
                                       "qrels/dev.tsv": HEADER + "q1\td1\t1\nq1\td2\t0\nq1\td1\t2\n"},
                         "dev", "qrels/dev.tsv:4", ["('q1', 'd1') is given twice", "dev.tsv:2)"]),
    "qrels all 0": ("Retrieval", {"corpus.jsonl": CORPUS, "queries.jsonl": QUERIES,
                                  "qrels/dev.tsv": HEADER + "q1\td1\t0\nq1\td2\t0\n"},
                    "dev", "qrels/dev.tsv", ["every qrel has score 0"]),
    "rerank no positive": ("Reranking", {"dev.jsonl": _line(query="q", positive=["p"], negative=["n"])
                                         + _line(query="r", positive=[], negative=["n"])},
                           "dev", "dev.jsonl:2", ["reranking query without a positive"]),
    "empty query": ("Retrieval", {"corpus.jsonl": CORPUS,
                                  "queries.jsonl": QUERIES + '{"_id": "q2", "text": " \\u3000"}\n',
                                  "qrels/dev.tsv": QRELS},
                    "dev", "queries.jsonl:2", ["empty query text"]),
    "empty passage": ("Retrieval", {"corpus.jsonl": CORPUS + '{"_id": "d3", "title": "", "text": ""}\n',
                                    "queries.jsonl": QUERIES, "qrels/dev.tsv": QRELS},
                      "dev", "corpus.jsonl:3", ["empty passage text"]),
    "rerank empty query": ("Reranking", {"dev.jsonl": _line(query="", positive=["p"], negative=["n"])},
                           "dev", "dev.jsonl:1", ["empty query text"]),
    "rerank empty passage": ("Reranking", {"dev.jsonl": _line(query="q", positive=["p"],
                                                              negative=["n", "\n "])},
                             "dev", "dev.jsonl:1", ["empty passage text"]),
    "duplicate key in a record": ("STS", {"test.jsonl": STS_OK + "\n" + '{"sentence1": "a", '
                                          '"sentence2": "b", "score": 1, "score": 5}\n'},
                                  "test", "test.jsonl:2", ["key 'score' appears twice in one record"]),
    "duplicate nested key": ("Clustering", {"test.jsonl": '{"sentences": ["a"], "labels": [1], '
                                            '"meta": {"k": 1, "k": 2}}\n'},
                             "test", "test.jsonl:1", ["key 'k' appears twice"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validation_error_names_file_and_line(tmp_path: Path, case: str) -> None:
    task_type, files, split, where, fragments = CASES[case]
    for name, content in files.items():
        write_text(tmp_path / name, content)
    message = raises_user_error(LocalTaskFolder(tmp_path, task_type).read, split)
    assert str(tmp_path / where) in message
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(("score", "fragment"), [
    (5.5, "score 5.5 is outside the task's range [0, 5]"),
    (-1, "score -1 is outside the task's range [0, 5]"),
])
def test_sts_score_outside_the_declared_range(tmp_path: Path, score: float, fragment: str) -> None:
    write_text(tmp_path / "test.jsonl", STS_OK + "\n" + _line(sentence1="a", sentence2="b", score=score))
    folder = LocalTaskFolder(tmp_path, "STS", score_range=(0.0, 5.0))
    message = raises_user_error(folder.read, "test")
    assert message == f"{tmp_path / 'test.jsonl'}:2: {fragment}"


def test_sts_scores_on_the_range_bounds_are_accepted(tmp_path: Path) -> None:
    write_text(tmp_path / "test.jsonl", _line(sentence1="a", sentence2="b", score=0)
               + _line(sentence1="a", sentence2="c", score=5))
    assert LocalTaskFolder(tmp_path, "STS", score_range=(0.0, 5.0)).read("test").score == [0.0, 5.0]


def test_invalid_utf8_names_line(tmp_path: Path) -> None:
    (tmp_path / "test.jsonl").write_bytes(STS_OK.encode() + b"\n{\"sentence1\": \"\xff\"}\n")
    message = raises_user_error(LocalTaskFolder(tmp_path, "STS").read, "test")
    assert f"{tmp_path / 'test.jsonl'}:2: not valid UTF-8" in message


def test_deeply_nested_json_is_a_user_error(tmp_path: Path) -> None:
    write_text(tmp_path / "test.jsonl", "[" * 100_000 + "]" * 100_000 + "\n")
    message = raises_user_error(LocalTaskFolder(tmp_path, "STS").read, "test")
    assert "test.jsonl:1" in message


def test_unreadable_path_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "test.jsonl").mkdir()
    message = raises_user_error(LocalTaskFolder(tmp_path, "STS").read, "test")
    assert "test.jsonl" in message
