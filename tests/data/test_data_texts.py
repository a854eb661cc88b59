"""Issue 15 item 5: the texts cmteb hands to a model are the ones the pinned mteb builds at load
time: passages (retrieval and reranking) stripped of surrounding whitespace, queries and the texts
of the other task types unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasets import Dataset

from cmteb.data.hub_convert import (
    pair_scores_from_hub,
    rerank_groups_from_hub,
    retrieval_from_hub,
)
from cmteb.data.local import LocalTaskFolder
from cmteb.data.records import passage
from tests.data.helpers import write_jsonl, write_text

mteb_loaders = pytest.importorskip("mteb._create_dataloaders")

TITLES_AND_TEXTS = [
    ("", "  正文在空格之间  "), ("标题", " 正文\n"), (" ", "\t文本"), ("标题 ", ""),
    ("", "\u3000全角空格\u3000"), ("T", "x\r\n"), ("", "no space"),
]


@pytest.mark.parametrize(("title", "text"), TITLES_AND_TEXTS)
def test_passage_equals_mteb_corpus_text(title: str, text: str) -> None:
    row = {"id": "d", "title": title, "text": text}
    assert passage(title, text) == mteb_loaders._corpus_to_dict(row)["text"]


CORPUS = [{"_id": "d1", "title": "", "text": "  第一段  "}, {"_id": "d2", "title": " 题 ", "text": "二\n"},
          {"_id": "d3", "title": "", "text": "\t三"}]
QUERIES = [{"_id": "q1", "text": " 问题一 "}, {"_id": "q2", "text": "问题二\n"}]
QRELS = [("q1", "d1", 1), ("q2", "d2", 1), ("q2", "d3", 0)]


def _expected_corpus() -> dict[str, str]:
    return {d["_id"]: mteb_loaders._corpus_to_dict({"id": d["_id"], **d})["text"] for d in CORPUS}


def test_retrieval_passages_stripped_queries_kept_hub_and_local(tmp_path: Path) -> None:
    hub = retrieval_from_hub(
        Dataset.from_list(CORPUS), Dataset.from_list(QUERIES),
        Dataset.from_dict({"query-id": [q for q, _, _ in QRELS], "corpus-id": [d for _, d, _ in QRELS],
                           "score": [s for _, _, s in QRELS]}))
    write_jsonl(tmp_path / "corpus.jsonl", CORPUS)
    write_jsonl(tmp_path / "queries.jsonl", QUERIES)
    write_text(tmp_path / "qrels" / "dev.tsv", "query-id\tcorpus-id\tscore\n"
               + "".join(f"{q}\t{d}\t{s}\n" for q, d, s in QRELS))
    local = LocalTaskFolder(tmp_path, "Retrieval").read("dev")
    assert hub == local
    assert hub.corpus == _expected_corpus() == {"d1": "第一段", "d2": "题  二", "d3": "三"}
    assert hub.queries == {"q1": " 问题一 ", "q2": "问题二\n"}


def test_reranking_candidates_stripped_query_kept_hub_and_local(tmp_path: Path) -> None:
    groups = rerank_groups_from_hub(
        Dataset.from_list(CORPUS), Dataset.from_list(QUERIES),
        Dataset.from_dict({"query-id": ["q2", "q2"], "corpus-id": ["d2", "d3"], "score": [1, 0]}),
        Dataset.from_dict({"query-id": ["q2"], "corpus-ids": [["d3", "d2"]]})).groups
    write_jsonl(tmp_path / "dev.jsonl", [{"query": "问题二\n", "positive": [" 题  二\n"],
                                          "negative": ["\t三"]}])
    local = LocalTaskFolder(tmp_path, "Reranking").read("dev").groups
    assert groups == local
    expected = _expected_corpus()
    assert (groups[0].query, groups[0].positive, groups[0].negative) == (
        "问题二\n", [expected["d2"]], [expected["d3"]])


def test_sts_sentences_are_not_stripped() -> None:
    data = pair_scores_from_hub({"sentence1": [" a "], "sentence2": ["b\n"], "score": [1]})
    assert (data.sentence1, data.sentence2) == ([" a "], ["b\n"])
