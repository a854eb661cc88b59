"""Record validation shared by the local reader and the hub conversion.

A record is a mapping (one JSON line, or one hub row renamed to the local field names); `where`
names it in errors (`path:line` or `task (dataset) row i`). Policies: unknown fields are ignored;
booleans are never numbers or labels; scores must be finite and STS scores inside the task's
declared range; pair labels are 0/1; classification labels are ints; clustering labels may be str
or int and are stored as str.

Texts as mteb reads them: a retrieval or reranking passage is `title + " " + text` when the title
is non-empty, else `text`, stripped of surrounding whitespace (mteb 2's corpus loader, and
FlagEmbedding's 2023 retrieval model); queries and the texts of the other task types are kept as
they are. An empty query or passage (after stripping) is an error, and so is a reranking query
without a positive. Qrels: a (query, document) pair judged twice, or a split whose qrels are all
0, is an error.
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
    """The passage a model reads: title and text joined by a space, stripped (module docstring)."""
    return (f"{title} {text}" if title else text).strip()


def nonempty(text: str, what: str, where: str) -> str:
    """`text` unchanged; a UserError when it is empty or only whitespace."""
    if not text.strip():
        raise UserError(f"{where}: empty {what} text")
    return text


def build_pair_scores(rows: Rows, score_range: tuple[float, float] | None = None) -> PairScores:
    """STS records `{sentence1, sentence2, score}`; scores inside `score_range` (min, max) when
    given (the task's declared scale)."""
    out = PairScores([], [], [])
    for where, obj in rows:
        out.sentence1.append(text_field(obj, "sentence1", where))
        out.sentence2.append(text_field(obj, "sentence2", where))
        score = number_field(obj, "score", where)
        if score_range is not None and not score_range[0] <= score <= score_range[1]:
            raise UserError(f"{where}: score {score:g} is outside the task's range "
                            f"[{score_range[0]:g}, {score_range[1]:g}]")
        out.score.append(score)
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


def rerank_group(query: str, positive: list[str], negative: list[str], where: str) -> RerankGroup:
    """A checked group: non-empty query, at least one positive, passages stripped and non-empty."""
    if not positive:
        raise UserError(f"{where}: reranking query without a positive passage "
                        "(mteb's copies drop such rows; remove it)")
    return RerankGroup(
        nonempty(query, "query", where),
        [nonempty(passage("", t), "passage", where) for t in positive],
        [nonempty(passage("", t), "passage", where) for t in negative],
    )


def build_rerank(rows: Rows) -> RerankGroups:
    """Reranking records `{query, positive: [str], negative: [str]}`, in order."""
    groups = [
        rerank_group(
            text_field(obj, "query", where),
            text_list_field(obj, "positive", where),
            text_list_field(obj, "negative", where),
            where,
        )
        for where, obj in rows
    ]
    return RerankGroups(groups)


def build_id_texts(rows: Rows, *, with_title: bool) -> dict[str, str]:
    """Corpus (`{_id, title?, text}`, `with_title`) or queries (`{_id, text}`) -> {id: text}.

    A missing title counts as empty; a corpus text is a passage (module docstring). Ids must be
    strings and unique; texts must not be empty.
    """
    out: dict[str, str] = {}
    for where, obj in rows:
        id_ = text_field(obj, "_id", where)
        if id_ in out:
            raise UserError(f"{where}: duplicate _id {id_!r}")
        text = text_field(obj, "text", where)
        if with_title:
            title = text_field(obj, "title", where) if "title" in obj else ""
            out[id_] = nonempty(passage(title, text), "passage", where)
        else:
            out[id_] = nonempty(text, "query", where)
    return out


def judgements(qrels_rows: QrelRows, source: str) -> dict[str, dict[str, tuple[int, str]]]:
    """{query id: {doc id: (score, where)}} of one split's qrels.

    A (query, document) pair given twice is an error naming both places (BEIR's and mteb's loaders
    would keep the last score silently), and so is a split whose qrels are all 0 (`source` names
    it): such a split has no relevant document to find.
    """
    judged: dict[str, dict[str, tuple[int, str]]] = {}
    for where, qid, did, score in qrels_rows:
        seen = judged.setdefault(qid, {})
        if did in seen:
            raise UserError(f"{where}: qrel ({qid!r}, {did!r}) is given twice "
                            f"(first at {seen[did][1]})")
        seen[did] = (score, where)
    if judged and not any(s != 0 for docs in judged.values() for s, _ in docs.values()):
        raise UserError(f"{source}: every qrel has score 0 (no relevant document in the split)")
    return judged


def build_retrieval(
    corpus: dict[str, str], queries: dict[str, str], qrels_rows: QrelRows, source: str
) -> RetrievalCorpus:
    """Check qrels (`judgements`) against the ids; keep only the queries that have qrels
    (BEIR/mteb policy). Every qrel must name an existing query and document."""
    qrels: dict[str, dict[str, int]] = {}
    for qid, docs in judgements(qrels_rows, source).items():
        for did, (score, where) in docs.items():
            if qid not in queries:
                raise UserError(f"{where}: query id {qid!r} is not in the queries")
            if did not in corpus:
                raise UserError(f"{where}: corpus id {did!r} is not in the corpus")
            qrels.setdefault(qid, {})[did] = score
    split_queries = {qid: text for qid, text in queries.items() if qid in qrels}
    return RetrievalCorpus(corpus=corpus, queries=split_queries, qrels=qrels)
