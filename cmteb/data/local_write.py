"""Write typed split data in the local task-data layout: the exact inverse of `cmteb.data.local`.

Policy: every file is written atomically (`cmteb.atomic.replace_file`: temp file, fsync, rename), UTF-8,
one JSON object per line with `ensure_ascii=False`. Retrieval passages are written as
`{"_id", "title": "", "text": passage}` (the passage already joins title and text), and the
corpus/queries of all splits go to one `corpus.jsonl`/`queries.jsonl` (a document id with two
different texts is an error). Classification writes the shared train split once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cmteb.atomic import replace_file
from cmteb.data.local import CORPUS_FILE, QUERIES_FILE, split_file
from cmteb.data.types import (
    ClusteringSets,
    LabeledTexts,
    PairLabels,
    PairScores,
    RerankGroups,
    RetrievalCorpus,
    SplitData,
)
from cmteb.errors import UserError

_QRELS_HEADER = "query-id\tcorpus-id\tscore\n"


def write_atomic(path: Path, lines: Iterable[str]) -> None:
    """Write `lines` (each ending in "\\n") to `path` atomically (`cmteb.atomic.replace_file`)."""
    replace_file(path, "".join(lines).encode("utf-8"))


def _jsonl(records: Iterable[dict[str, Any]]) -> Iterable[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def _records(data: SplitData) -> Iterable[dict[str, Any]]:
    """Records of the `<split>.jsonl` types (all but retrieval)."""
    if isinstance(data, PairScores):
        for a, b, score in zip(data.sentence1, data.sentence2, data.score, strict=True):
            yield {"sentence1": a, "sentence2": b, "score": score}
    elif isinstance(data, PairLabels):
        for a, b, label in zip(data.sentence1, data.sentence2, data.label, strict=True):
            yield {"sentence1": a, "sentence2": b, "label": label}
    elif isinstance(data, LabeledTexts):
        for text, label in zip(data.text, data.label, strict=True):
            yield {"text": text, "label": label}
    elif isinstance(data, ClusteringSets):
        for one in data.sets:
            yield {"sentences": one.sentences, "labels": one.labels}
    elif isinstance(data, RerankGroups):
        for group in data.groups:
            yield {"query": group.query, "positive": group.positive, "negative": group.negative}
    else:
        raise TypeError(f"no JSON-lines layout for {type(data).__name__}")


def _merge(into: dict[str, str], more: dict[str, str], what: str) -> None:
    for id_, text in more.items():
        if into.setdefault(id_, text) != text:
            raise UserError(f"{what} id {id_!r} has different texts in different splits")


def _tsv_id(id_: str) -> str:
    if any(c in id_ for c in "\t\n\r") or not id_.strip():
        raise UserError(f"id {id_!r} cannot be written to a qrels TSV (tab, newline or blank)")
    return id_


def _write_retrieval(folder: Path, splits: dict[str, RetrievalCorpus]) -> None:
    corpus: dict[str, str] = {}
    queries: dict[str, str] = {}
    for split, data in splits.items():
        _merge(corpus, data.corpus, "corpus")
        _merge(queries, data.queries, "query")
        path = folder / split_file("Retrieval", split)
        rows = (f"{_tsv_id(q)}\t{_tsv_id(d)}\t{score}\n"
                for q, judged in data.qrels.items() for d, score in judged.items())
        write_atomic(path, [_QRELS_HEADER, *rows])
    write_atomic(folder / CORPUS_FILE,
                 _jsonl({"_id": i, "title": "", "text": t} for i, t in corpus.items()))
    write_atomic(folder / QUERIES_FILE, _jsonl({"_id": i, "text": t} for i, t in queries.items()))


def _write_train(folder: Path, splits: dict[str, SplitData], train_split: str) -> None:
    first = next((d for d in splits.values() if isinstance(d, LabeledTexts)), None)
    if first is None:
        return
    train = (first.train_text, first.train_label)
    for data in splits.values():
        if isinstance(data, LabeledTexts) and (data.train_text, data.train_label) != train:
            raise UserError("classification splits disagree on their train split")
    write_atomic(folder / f"{train_split}.jsonl",
                 _jsonl({"text": t, "label": label} for t, label in zip(*train, strict=True)))


def write_task_folder(
    folder: Path, task_type: str, splits: dict[str, SplitData], *, train_split: str = "train"
) -> None:
    """Write `splits` into `folder` in the layout `LocalTaskFolder` reads."""
    if task_type == "Retrieval":
        retrieval = {s: d for s, d in splits.items() if isinstance(d, RetrievalCorpus)}
        if len(retrieval) != len(splits):
            raise TypeError("Retrieval splits must all be RetrievalCorpus")
        _write_retrieval(folder, retrieval)
        return
    _write_train(folder, splits, train_split)
    for split, data in splits.items():
        write_atomic(folder / split_file(task_type, split), _jsonl(_records(data)))
