"""Record validation shared by the local reader and the hub conversion.

A record is a mapping (one JSON line, or one hub row renamed to the local field names); `where`
names it in errors (`path:line` or `task (dataset) row i`). Policies: unknown fields are ignored;
booleans are never numbers or labels; scores must be finite; pair labels are 0/1; classification
labels are ints; clustering labels may be str or int and are stored as str; a retrieval passage is
`title + " " + text` when the title is non-empty, else `text`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from cmteb.data.files import kind_of
from cmteb.data.types import (
    ClusteringSet,
    ClusteringSets,
    PairLabels,
    PairScores,
    RerankGroup,
    RerankGroups,
    RetrievalCorpus,
)
from cmteb.errors import UserError

Record = Mapping[str, Any]
Rows = Iterable[tuple[str, Record]]
QrelRows = Iterable[tuple[str, str, str, int]]


def _get(obj: Record, key: str, where: str) -> Any:
    if key not in obj:
        raise UserError(f"{where}: missing field {key!r}")
    return obj[key]


def _wrong(key: str, expected: str, value: Any, where: str) -> UserError:
    return UserError(f"{where}: field {key!r} must be {expected}, got {kind_of(value)}")


def text_field(obj: Record, key: str, where: str) -> str:
    value = _get(obj, key, where)
    if not isinstance(value, str):
        raise _wrong(key, "a string", value, where)
    return value


def number_field(obj: Record, key: str, where: str) -> float:
    """A finite int or float (not bool), returned as float."""
    value = _get(obj, key, where)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong(key, "a number", value, where)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise UserError(f"{where}: field {key!r} must be finite, got {str(value)[:40]}")
    return number


def int_field(obj: Record, key: str, where: str) -> int:
    value = _get(obj, key, where)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(key, "an integer", value, where)
    return value


def text_list_field(obj: Record, key: str, where: str) -> list[str]:
    value = _get(obj, key, where)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _wrong(key, "a list of strings", value, where)
    return value


def label_list_field(obj: Record, key: str, where: str) -> list[str]:
    """A list of str or int labels (not bool), returned as str."""
    value = _get(obj, key, where)
    ok = isinstance(value, list) and all(
        isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)) for v in value
    )
    if not ok:
        raise _wrong(key, "a list of strings or integers", value, where)
    return [str(v) for v in value]


def passage(title: str, text: str) -> str:
    return f"{title} {text}" if title else text


def build_pair_scores(rows: Rows) -> PairScores:
    """STS records `{sentence1, sentence2, score}`."""
    out = PairScores([], [], [])
    for where, obj in rows:
        out.sentence1.append(text_field(obj, "sentence1", where))
        out.sentence2.append(text_field(obj, "sentence2", where))
        out.score.append(number_field(obj, "score", where))
    return out


def build_pair_labels(rows: Rows) -> PairLabels:
    """Pair-classification records `{sentence1, sentence2, label: 0|1}`."""
    out = PairLabels([], [], [])
    for where, obj in rows:
        out.sentence1.append(text_field(obj, "sentence1", where))
        out.sentence2.append(text_field(obj, "sentence2", where))
        label = int_field(obj, "label", where)
        if label not in (0, 1):
            raise UserError(f"{where}: field 'label' must be 0 or 1, got {label}")
        out.label.append(label)
    return out


def build_labeled(rows: Rows) -> tuple[list[str], list[int]]:
    """Classification records `{text, label: int}` -> (texts, labels)."""
    texts: list[str] = []
    labels: list[int] = []
    for where, obj in rows:
        texts.append(text_field(obj, "text", where))
        labels.append(int_field(obj, "label", where))
    return texts, labels


def build_clustering(rows: Rows) -> ClusteringSets:
    """Clustering records, one set each: `{sentences: [str], labels: [str|int]}`, equal lengths."""
    sets: list[ClusteringSet] = []
    for where, obj in rows:
        sentences = text_list_field(obj, "sentences", where)
        labels = label_list_field(obj, "labels", where)
        if len(sentences) != len(labels):
            raise UserError(
                f"{where}: {len(sentences)} sentences but {len(labels)} labels (must be equal)"
            )
        if not sentences:
            raise UserError(f"{where}: empty clustering set")
        sets.append(ClusteringSet(sentences, labels))
    return ClusteringSets(sets)


def build_rerank(rows: Rows) -> RerankGroups:
    """Reranking records `{query, positive: [str], negative: [str]}`, in order."""
    groups = [
        RerankGroup(
            text_field(obj, "query", where),
            text_list_field(obj, "positive", where),
            text_list_field(obj, "negative", where),
        )
        for where, obj in rows
    ]
    return RerankGroups(groups)


def build_id_texts(rows: Rows, *, with_title: bool) -> dict[str, str]:
    """Corpus (`{_id, title?, text}`, `with_title`) or queries (`{_id, text}`) -> {id: text}.

    A missing title counts as empty. Ids must be strings and unique.
    """
    out: dict[str, str] = {}
    for where, obj in rows:
        id_ = text_field(obj, "_id", where)
        if id_ in out:
            raise UserError(f"{where}: duplicate _id {id_!r}")
        text = text_field(obj, "text", where)
        if with_title and "title" in obj:
            text = passage(text_field(obj, "title", where), text)
        out[id_] = text
    return out


def build_retrieval(
    corpus: dict[str, str], queries: dict[str, str], qrels_rows: QrelRows
) -> tuple[RetrievalCorpus, list[str]]:
    """Check qrels against the ids; keep only the queries that have qrels (BEIR/mteb policy).

    Every qrel must name an existing query and document. A repeated (query, document) pair keeps
    its last score, as BEIR's and mteb's loaders do; the second value returned is then a one-line
    note about it (else empty).
    """
    qrels: dict[str, dict[str, int]] = {}
    repeated: list[str] = []
    for where, qid, did, score in qrels_rows:
        if qid not in queries:
            raise UserError(f"{where}: query id {qid!r} is not in the queries")
        if did not in corpus:
            raise UserError(f"{where}: corpus id {did!r} is not in the corpus")
        judged = qrels.setdefault(qid, {})
        if did in judged:
            repeated.append(where)
        judged[did] = score
    split_queries = {qid: text for qid, text in queries.items() if qid in qrels}
    notes = []
    if repeated:
        notes.append(
            f"{repeated[0]}: {len(repeated)} repeated (query, document) qrels; the last score wins"
        )
    return RetrievalCorpus(corpus=corpus, queries=split_queries, qrels=qrels), notes
