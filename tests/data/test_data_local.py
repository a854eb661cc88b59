"""Local layout readers on tiny hand-written folders, and the content fingerprint."""

from __future__ import annotations

from pathlib import Path

from cmteb.data.local import LocalTaskFolder
from cmteb.data.types import (
    ClusteringSet,
    ClusteringSets,
    LabeledTexts,
    PairLabels,
    PairScores,
    RerankGroup,
    RerankGroups,
    RetrievalCorpus,
)
from tests.data.helpers import write_jsonl, write_text


def test_sts(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "test.jsonl", [
        {"sentence1": "甲", "sentence2": "乙", "score": 4},
        {"sentence1": "a", "sentence2": "b", "score": 0.5, "extra": "ignored"},
    ])
    assert LocalTaskFolder(tmp_path, "STS").read("test") == PairScores(
        ["甲", "a"], ["乙", "b"], [4.0, 0.5])


def test_pair_classification(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "validation.jsonl", [
        {"sentence1": "x", "sentence2": "y", "label": 1},
        {"sentence1": "x", "sentence2": "z", "label": 0},
    ])
    data = LocalTaskFolder(tmp_path, "PairClassification").read("validation")
    assert data == PairLabels(["x", "x"], ["y", "z"], [1, 0])


def test_classification_reads_train_once(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", [{"text": "t1", "label": 0}, {"text": "t2", "label": 3}])
    write_jsonl(tmp_path / "validation.jsonl", [{"text": "v", "label": 3}])
    write_jsonl(tmp_path / "test.jsonl", [{"text": "w", "label": 0}])
    folder = LocalTaskFolder(tmp_path, "Classification")
    validation = folder.read("validation")
    assert validation == LabeledTexts(["v"], [3], ["t1", "t2"], [0, 3])
    assert folder.read("test").train_text is validation.train_text


def test_classification_custom_train_split(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "fit.jsonl", [{"text": "t", "label": 1}])
    write_jsonl(tmp_path / "test.jsonl", [{"text": "v", "label": 1}])
    data = LocalTaskFolder(tmp_path, "Classification", train_split="fit").read("test")
    assert data.train_text == ["t"]


def test_clustering_labels_become_strings(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "test.jsonl", [
        {"sentences": ["a", "b"], "labels": [1, "x"]},
        {"sentences": ["c"], "labels": ["y"]},
    ])
    assert LocalTaskFolder(tmp_path, "Clustering").read("test") == ClusteringSets(
        [ClusteringSet(["a", "b"], ["1", "x"]), ClusteringSet(["c"], ["y"])])


def test_reranking(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "dev.jsonl", [{"query": "q", "positive": ["p"], "negative": ["n", "m"]}])
    assert LocalTaskFolder(tmp_path, "Reranking").read("dev") == RerankGroups(
        [RerankGroup("q", ["p"], ["n", "m"])])


def _retrieval_folder(root: Path) -> Path:
    write_jsonl(root / "corpus.jsonl", [
        {"_id": "d1", "title": "标题", "text": "正文"},
        {"_id": "d2", "title": "", "text": "only text"},
        {"_id": "d3", "text": "no title field"},
    ])
    write_jsonl(root / "queries.jsonl", [
        {"_id": "q1", "text": "first"}, {"_id": "q2", "text": "second"}, {"_id": "q3", "text": "x"},
    ])
    write_text(root / "qrels" / "dev.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\n"
               "q2\td3\t2\r\n")
    write_text(root / "qrels" / "test.tsv", "query-id\tcorpus-id\tscore\nq3\td1\t1\n")
    return root


def test_retrieval_passages_and_query_filter(tmp_path: Path) -> None:
    folder = LocalTaskFolder(_retrieval_folder(tmp_path), "Retrieval")
    assert folder.read("dev") == RetrievalCorpus(
        corpus={"d1": "标题 正文", "d2": "only text", "d3": "no title field"},
        queries={"q1": "first", "q2": "second"},
        qrels={"q1": {"d1": 1, "d2": 0}, "q2": {"d3": 2}},
    )
    assert folder.read("test").queries == {"q3": "x"}


def test_blank_lines_bom_crlf_and_unicode_separators(tmp_path: Path) -> None:
    line = '{"sentence1": "a\u2028b", "sentence2": "c", "score": 1}'
    write_text(tmp_path / "test.jsonl", "\ufeff" + line + "\r\n\n   \n" + line + "\n")
    data = LocalTaskFolder(tmp_path, "STS").read("test")
    assert data.sentence1 == ["a\u2028b", "a\u2028b"]


def test_has_split_and_paths(tmp_path: Path) -> None:
    _retrieval_folder(tmp_path)
    folder = LocalTaskFolder(tmp_path, "Retrieval")
    assert folder.has_split("dev") and not folder.has_split("test2")
    assert folder.split_path("dev") == tmp_path / "qrels" / "dev.tsv"


def _fingerprint(root: Path, task_type: str, split: str) -> str:
    folder = LocalTaskFolder(root, task_type)
    folder.read(split)
    return folder.fingerprint()


def test_fingerprint_changes_with_one_byte(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "test.jsonl", [{"sentence1": "a", "sentence2": "b", "score": 1}])
    before = _fingerprint(tmp_path, "STS", "test")
    assert before.startswith("sha256:") and len(before) == len("sha256:") + 64
    path.write_bytes(path.read_bytes().replace(b'"a"', b'"A"'))
    assert _fingerprint(tmp_path, "STS", "test") != before


def test_fingerprint_ignores_unrelated_files(tmp_path: Path) -> None:
    _retrieval_folder(tmp_path)
    before = _fingerprint(tmp_path, "Retrieval", "dev")
    write_text(tmp_path / "SOURCE.md", "notes")
    write_text(tmp_path / "qrels" / "test.tsv", "query-id\tcorpus-id\tscore\nq2\td1\t1\n")
    assert _fingerprint(tmp_path, "Retrieval", "dev") == before
    write_text(tmp_path / "qrels" / "dev.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\n")
    assert _fingerprint(tmp_path, "Retrieval", "dev") != before


def test_fingerprint_covers_file_names(tmp_path: Path) -> None:
    record = [{"sentence1": "a", "sentence2": "b", "score": 1}]
    write_jsonl(tmp_path / "a" / "test.jsonl", record)
    write_jsonl(tmp_path / "b" / "dev.jsonl", record)
    first = _fingerprint(tmp_path / "a", "STS", "test")
    assert first != _fingerprint(tmp_path / "b", "STS", "dev")
    write_jsonl(tmp_path / "c" / "test.jsonl", record)
    assert first == _fingerprint(tmp_path / "c", "STS", "test")
