"""Round trip: in-memory hub tables -> download (local files) -> local reader -> equal data."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasets import Dataset

from cmteb.data.download import DownloadItem, download_tasks
from cmteb.data.hub import HubTask
from cmteb.data.loader import load_task_data
from cmteb.data.local_write import write_atomic, write_task_folder
from cmteb.data.types import RetrievalCorpus
from tests.data.helpers import FakeHub, make_spec, raises_user_error

D = Dataset.from_dict
CORPUS = D({"_id": ["d1", "d2", "d3"], "title": ["标题", "", None],
            "text": ["正文\t带制表符", "line\nbreak", "\u2028sep"]})
QUERIES = D({"_id": ["q1", "q2", "q3"], "text": ["一", "二", "三"]})
QRELS_DEV = D({"query-id": ["q1", "q1", "q2"], "corpus-id": ["d1", "d2", "d3"],
               "score": [1, 0, 2]})
QRELS_TEST = D({"query-id": ["q3"], "corpus-id": ["d1"], "score": [1]})

TABLES = {
    "STS": {None: {"test": D({"sentence1": ["a", "\"q\""], "sentence2": ["b", "c"],
                              "score": [1, 0.123456789012345]})}},
    "PairClassification": {None: {"validation": D({"sent1": [["a", "b"]], "sent2": [["c", "d"]],
                                                   "labels": [[1, 0]]})}},
    "Classification": {None: {"train": D({"text": ["t1", "t2"], "label": ["neg", "pos"]}),
                              "validation": D({"text": ["v"], "label": ["pos"]}),
                              "test": D({"text": ["w"], "label": ["neutral"]})}},
    "Clustering": {None: {"test": D({"sentences": [["a", "b"], ["c"]],
                                     "labels": [["x", "y"], ["z"]]})}},
    "Retrieval": {"corpus": {"dev": CORPUS}, "queries": {"dev": QUERIES},
                  None: {"dev": QRELS_DEV, "test": QRELS_TEST}},
    "Reranking": {"corpus": {"dev": CORPUS}, "queries": {"dev": QUERIES}, None: {"dev": QRELS_DEV},
                  "top_ranked": {"dev": D({"query-id": ["q2", "q1"],
                                           "corpus-ids": [["d3", "d1"], ["d2", "d1", "d3"]]})}},
}
SPLITS = {"STS": ["test"], "PairClassification": ["validation"],
          "Classification": ["validation", "test"], "Clustering": ["test"],
          "Retrieval": ["dev", "test"], "Reranking": ["dev"]}


@pytest.mark.parametrize("task_type", list(TABLES))
def test_round_trip(tmp_path: Path, task_type: str) -> None:
    spec = make_spec(task_type, name=f"Toy{task_type}", splits=tuple(SPLITS[task_type]))
    report = download_tasks([DownloadItem(spec, tuple(SPLITS[task_type]))], tmp_path,
                            source_for=lambda s: FakeHub(TABLES[s.type]))
    assert report.failures == []
    assert report.lines[0].startswith(f"Toy{task_type}: wrote {tmp_path / spec.name}")
    expected = HubTask(spec, FakeHub(TABLES[task_type]))
    local = load_task_data(spec, yaml_path=tmp_path / "x.yaml", required_splits=SPLITS[task_type],
                           optional_splits=[], data_dir=tmp_path)
    assert local.source.kind == "local"
    for split in SPLITS[task_type]:
        assert local.splits[split] == expected.read(split), split
    assert (tmp_path / spec.name / "SOURCE.md").is_file()
    assert (tmp_path / spec.name / "cmteb-download.json").is_file()
    assert not list((tmp_path / spec.name).rglob("*.tmp"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [spec.name]


def test_download_notes_missing_optional_splits_and_skips_local_only(tmp_path: Path) -> None:
    sts = DownloadItem(make_spec("STS", name="STSB"), ("test",), ("validation",))
    local_only = DownloadItem(make_spec("STS", name="Mine", path=None, local="data/Mine"), ("test",))
    report = download_tasks([sts, local_only], tmp_path,
                            source_for=lambda s: FakeHub(TABLES["STS"]))
    assert report.failures == []
    assert any("no split 'validation'" in note for note in report.notes)
    assert any(line.startswith("Mine: no hub dataset") for line in report.lines)
    assert not (tmp_path / "Mine").exists()


def test_download_of_a_missing_required_split_fails_that_task_only(tmp_path: Path) -> None:
    items = [DownloadItem(make_spec("STS", name="STSB"), ("dev",)),
             DownloadItem(make_spec("STS", name="ATEC"), ("test",))]
    report = download_tasks(items, tmp_path, source_for=lambda s: FakeHub(TABLES["STS"]))
    assert len(report.failures) == 1 and "no split 'dev'" in report.failures[0]
    assert not (tmp_path / "STSB").exists() and (tmp_path / "ATEC" / "test.jsonl").is_file()


def test_retrieval_ids_unfit_for_tsv_are_refused(tmp_path: Path) -> None:
    data = RetrievalCorpus(corpus={"d\t1": "x"}, queries={"q": "y"}, qrels={"q": {"d\t1": 1}})
    message = raises_user_error(write_task_folder, tmp_path, "Retrieval", {"dev": data})
    assert "qrels TSV" in message


def test_retrieval_splits_with_conflicting_corpora_are_refused(tmp_path: Path) -> None:
    one = RetrievalCorpus(corpus={"d": "x"}, queries={"q": "y"}, qrels={"q": {"d": 1}})
    two = RetrievalCorpus(corpus={"d": "other"}, queries={"q": "y"}, qrels={"q": {"d": 1}})
    message = raises_user_error(write_task_folder, tmp_path, "Retrieval", {"a": one, "b": two})
    assert "corpus id 'd'" in message


def test_write_atomic_keeps_old_file_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    write_atomic(path, ["old\n"])

    def broken():
        yield "new\n"
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_atomic(path, broken())
    assert path.read_text() == "old\n" and list(tmp_path.iterdir()) == [path]
