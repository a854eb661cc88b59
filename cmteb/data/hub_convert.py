"""Pure conversions of hub tables to the typed split data, following the pinned mteb's loaders.

A table is a `datasets.Dataset` or a dict of equal-length columns. Column layouts (mteb 2.x):
    STS: sentence1, sentence2, score
    PairClassification: sent1|sentence1, sent2|sentence2, labels|label; either one row per pair
        or a single row holding lists (mteb's "compatibility with v1")
    Classification: text, label (int; str labels are mapped to ints, see `_label_ids`)
    Clustering: rows of sentences: [str], labels: [str|int] (one set per row), or flat rows of
        sentences: str, labels: str|int (one set)
    Retrieval/Reranking (BEIR configs): corpus {_id|id, title?, text}, queries {_id|id, text},
        qrels {query-id, corpus-id, score}, top_ranked {query-id, corpus-ids: [str]}
    Reranking (C-MTEB v1 rows): query, positive: [str], negative: [str]
    Fast-loading repos (mteb's `fast_loading` tasks): any of the above plus `lang`; one subset is
        the rows whose `lang` is its name (`rows_of_subset`)
Rows are validated like local records (`cmteb.data.records`, which also strips passages as mteb
does); `where` names the source in errors. Ids are cast to str as mteb does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cmteb.data.records import (
    Record,
    build_clustering,
    build_id_texts,
    build_labeled,
    build_pair_labels,
    build_pair_scores,
    build_rerank,
    build_retrieval,
    judgements,
    rerank_group,
)
from cmteb.data.types import (
    ClusteringSets,
    LabeledTexts,
    PairLabels,
    PairScores,
    RerankGroups,
    RetrievalCorpus,
)
from cmteb.errors import UserError

Table = Any  # datasets.Dataset | Mapping[str, Sequence[Any]]


def _column_names(table: Table) -> list[str]:
    return list(table.keys()) if isinstance(table, Mapping) else list(table.column_names)


def columns(table: Table, wanted: dict[str, tuple[str, ...]], where: str) -> dict[str, list[Any]]:
    """{local name: values} taking, per local name, the first hub alias present.

    An empty alias tuple marks an optional column (left out when absent).
    """
    names = _column_names(table)
    out: dict[str, list[Any]] = {}
    for local, aliases in wanted.items():
        found = next((a for a in (aliases or (local,)) if a in names), None)
        if found is None and aliases:
            raise UserError(
                f"{where}: unknown layout: no column {' or '.join(map(repr, aliases))} "
                f"(columns: {', '.join(names)})"
            )
        if found is not None:
            out[local] = _column(table, found)
    return out


def _column(table: Table, name: str) -> list[Any]:
    if isinstance(table, Mapping):
        return list(table[name])
    return table.select_columns([name]).to_dict()[name]  # list(dataset[name]) is 100x slower


def rows(cols: dict[str, list[Any]], where: str) -> Iterator[tuple[str, Record]]:
    """(`where row i`, record) per row; an empty table is an error."""
    keys = list(cols)
    lengths = {key: len(values) for key, values in cols.items()}
    if len(set(lengths.values())) > 1:
        raise UserError(f"{where}: columns differ in length ({lengths})")
    count = 0
    for i, values in enumerate(zip(*cols.values(), strict=True)):
        count += 1
        yield f"{where} row {i}", dict(zip(keys, values, strict=True))
    if count == 0:
        raise UserError(f"{where}: no rows")


def rows_of_subset(table: Table, subset: str, where: str) -> Table | None:
    """The rows of a fast-loading table whose `lang` is `subset` (mteb's `fast_load`); None when
    there are none. The `lang` column stays (converters ignore columns they do not read)."""
    langs = columns(table, {"lang": ("lang",)}, where)["lang"]
    keep = [i for i, lang in enumerate(langs) if lang == subset]
    if not keep:
        return None
    if isinstance(table, Mapping):
        return {name: [list(values)[i] for i in keep] for name, values in table.items()}
    return table.select(keep)


def _as_id(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def pair_scores_from_hub(
    table: Table, where: str = "dataset", score_range: tuple[float, float] | None = None
) -> PairScores:
    cols = columns(table, {"sentence1": ("sentence1",), "sentence2": ("sentence2",),
                           "score": ("score",)}, where)
    return build_pair_scores(rows(cols, where), score_range)


def pair_labels_from_hub(table: Table, where: str = "dataset") -> PairLabels:
    cols = columns(table, {"sentence1": ("sentence1", "sent1"), "sentence2": ("sentence2", "sent2"),
                           "label": ("labels", "label")}, where)
    if all(len(values) == 1 and isinstance(values[0], list) for values in cols.values()):
        cols = {key: values[0] for key, values in cols.items()}  # v1: one row of lists
    return build_pair_labels(rows(cols, where))


def _label_ids(train: list[Any], evaluation: list[Any], where: str) -> tuple[list[Any], list[Any]]:
    """Map str labels to ints: sorted train labels first, then labels only seen in evaluation.

    Int labels pass through. Any bijection leaves accuracy, F1 and the per-label undersampling
    unchanged, and this one gives the train split the same ids whichever split is evaluated.
    """
    if not any(isinstance(v, str) for v in [*train, *evaluation]):
        return train, evaluation
    if not all(isinstance(v, str) for v in [*train, *evaluation]):
        raise UserError(f"{where}: labels mix strings and other types")
    order = sorted(set(train)) + sorted(set(evaluation) - set(train))
    ids = {label: i for i, label in enumerate(order)}
    return [ids[v] for v in train], [ids[v] for v in evaluation]


def labeled_texts_from_hub(
    train: Table, evaluation: Table, where: str = "dataset", train_where: str = "train"
) -> LabeledTexts:
    spec = {"text": ("text",), "label": ("label",)}
    train_cols, eval_cols = columns(train, spec, train_where), columns(evaluation, spec, where)
    train_cols["label"], eval_cols["label"] = _label_ids(
        train_cols["label"], eval_cols["label"], where
    )
    train_text, train_label = build_labeled(rows(train_cols, train_where))
    text, label = build_labeled(rows(eval_cols, where))
    return LabeledTexts(text, label, train_text, train_label)


def clustering_sets_from_hub(table: Table, where: str = "dataset") -> ClusteringSets:
    cols = columns(table, {"sentences": ("sentences",), "labels": ("labels",)}, where)
    if cols["sentences"] and not isinstance(cols["sentences"][0], list):
        cols = {key: [values] for key, values in cols.items()}  # flat rows: one set
    return build_clustering(rows(cols, where))


def _id_texts(table: Table, where: str, *, with_title: bool) -> dict[str, str]:
    wanted: dict[str, tuple[str, ...]] = {"_id": ("_id", "id"), "text": ("text",)}
    if with_title:
        wanted["title"] = ()
    cols = columns(table, wanted, where)
    cols["_id"] = [_as_id(v) for v in cols["_id"]]
    if "title" in cols:
        cols["title"] = ["" if v is None else v for v in cols["title"]]
    return build_id_texts(rows(cols, where), with_title=with_title)


def _qrel_rows(table: Table, where: str) -> Iterator[tuple[str, str, str, int]]:
    cols = columns(table, {"q": ("query-id",), "d": ("corpus-id",), "s": ("score",)}, where)
    for row_where, row in rows(cols, where):
        score = row["s"]
        if isinstance(score, float) and score.is_integer():
            score = int(score)
        if isinstance(score, bool) or not isinstance(score, int):
            raise UserError(f"{row_where}: qrel score must be an integer, got {score!r}")
        yield row_where, str(_as_id(row["q"])), str(_as_id(row["d"])), score


def retrieval_from_hub(
    corpus: Table, queries: Table, qrels: Table, where: str = "dataset"
) -> RetrievalCorpus:
    """BEIR configs -> RetrievalCorpus (queries without qrels dropped)."""
    docs = _id_texts(corpus, f"{where} corpus", with_title=True)
    query_texts = _id_texts(queries, f"{where} queries", with_title=False)
    source = f"{where} qrels"
    return build_retrieval(docs, query_texts, _qrel_rows(qrels, source), source)


def rerank_groups_from_hub(
    corpus: Table, queries: Table, qrels: Table, top_ranked: Table, where: str = "dataset"
) -> RerankGroups:
    """mteb-2 reranking configs -> groups in top_ranked order, candidate order kept.

    Positives are the candidates with qrel score > 0, negatives the other candidates. A query
    repeated in top_ranked keeps its last list (as mteb's dict does).
    """
    docs = _id_texts(corpus, f"{where} corpus", with_title=True)
    query_texts = _id_texts(queries, f"{where} queries", with_title=False)
    source = f"{where} qrels"
    judged = {qid: {did: score for did, (score, _) in by_doc.items()}
              for qid, by_doc in judgements(_qrel_rows(qrels, source), source).items()}
    ranked_where = f"{where} top_ranked"
    cols = columns(top_ranked, {"q": ("query-id",), "ids": ("corpus-ids",)}, ranked_where)
    candidates: dict[str, tuple[list[str], str]] = {}
    for row_where, row in rows(cols, ranked_where):
        qid = str(_as_id(row["q"]))
        if qid not in query_texts:
            raise UserError(f"{row_where}: query id {qid!r} is not in the queries")
        if not isinstance(row["ids"], list):
            raise UserError(f"{row_where}: 'corpus-ids' must be a list, got {row['ids']!r:.40}")
        ids = [str(_as_id(d)) for d in row["ids"]]
        missing = next((d for d in ids if d not in docs), None)
        if missing is not None:
            raise UserError(f"{row_where}: corpus id {missing!r} is not in the corpus")
        candidates[qid] = (ids, row_where)
    groups = []
    for qid, (ids, row_where) in candidates.items():
        relevant = judged.get(qid, {})
        groups.append(rerank_group(
            query_texts[qid],
            [docs[d] for d in ids if relevant.get(d, 0) > 0],
            [docs[d] for d in ids if relevant.get(d, 0) <= 0],
            row_where,
        ))
    return RerankGroups(groups)


def rerank_groups_from_rows(table: Table, where: str = "dataset") -> RerankGroups:
    """C-MTEB v1 reranking rows `{query, positive, negative}`."""
    cols = columns(table, {"query": ("query",), "positive": ("positive",),
                           "negative": ("negative",)}, where)
    return build_rerank(rows(cols, where))
