"""Retrieval and reranking for models that score (query, passage) pairs instead of embedding texts.

- Cross-encoder on a reranking task: every candidate of every group is scored as a pair; the
  metrics are the reranking evaluator's (`reranking.score_groups`: MAP, MRR@10, mteb-2 family).
- Cross-encoder on a retrieval task (second stage): each query's first `top_k` hits of a first
  stage run are scored as pairs and re-ordered; documents outside them are not retrieved. Under a
  protocol that ignores identical ids, a hit whose id is the query's own id is dropped first.
  Metrics: `_ranking.ranking_metrics` of the reranked run (same keys as retrieval).
- BM25 on a retrieval task: the corpus is indexed and every query searched exactly (all scores,
  then `_search.top_k_of_block`'s ordering), metrics as the retrieval evaluator (`score_hits`).
- BM25 on a reranking task: the split's candidate passages are indexed and each group's candidates
  scored against its query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from cmteb.errors import TaskError
from cmteb.evaluators import SplitResult
from cmteb.evaluators._ranking import ranking_metrics
from cmteb.evaluators._search import top_k_of_block
from cmteb.evaluators.reranking import score_groups, usable_groups
from cmteb.evaluators.retrieval import query_samples, score_hits, search_depth, search_order

if TYPE_CHECKING:
    from cmteb.data.types import RerankGroups, RetrievalCorpus
    from cmteb.models.contract import LexicalModel, Role
    from cmteb.protocols import Protocol
    from cmteb.tasks.spec import TaskSpec

ScorePairs = Callable[[list[str], list[str]], np.ndarray]  # (queries, passages) -> (n,)
FormatTexts = Callable[[list[str], "Role"], list[str]]  # (texts, role) -> model texts
Run = dict[str, dict[str, float]]
QUERY_CHUNK = 256


def _split_by_group(flat: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    return np.split(np.asarray(flat), np.cumsum(sizes)[:-1]) if sizes else []


def cross_encoder_reranking(spec: TaskSpec, data: RerankGroups, score: ScorePairs) -> SplitResult:
    groups = usable_groups(data)
    queries = [g.query for g in groups for _ in (*g.positive, *g.negative)]
    passages = [t for g in groups for t in (*g.positive, *g.negative)]
    sizes = [len(g.positive) + len(g.negative) for g in groups]
    return score_groups(spec, groups, _split_by_group(score(queries, passages), sizes))


def first_stage_candidates(
    qids: list[str], first_run: Run, top_k: int, ignore_identical_ids: bool
) -> dict[str, list[str]]:
    """Each query's first `top_k` first-stage hits (best first); TaskError when queries lack one."""
    missing = [qid for qid in qids if qid not in first_run]
    if missing:
        raise TaskError(f"the first stage has no hits for {len(missing)} of {len(qids)} queries "
                        f"(e.g. {missing[0]!r}); was it run on the same data?")
    out = {}
    for qid in qids:
        hits = [d for d in first_run[qid] if not (ignore_identical_ids and d == qid)]
        out[qid] = hits[:top_k]
    return out


def cross_encoder_retrieval(
    spec: TaskSpec, data: RetrievalCorpus, score: ScorePairs, first_run: Run, top_k: int,
    protocol: Protocol,
) -> SplitResult:
    order = search_order(data)
    qrels, qids = order.qrels, order.qids
    candidates = first_stage_candidates(qids, first_run, top_k, protocol.ignore_identical_ids)
    unknown = {d for docs in candidates.values() for d in docs if d not in data.corpus}
    if unknown:
        raise TaskError(f"the first stage returned {len(unknown)} document ids missing from the "
                        f"corpus (e.g. {sorted(unknown)[0]!r}); was it run on the same data?")
    pairs = [(qid, d) for qid in qids for d in candidates[qid]]
    scores = score([data.queries[q] for q, _ in pairs], [data.corpus[d] for _, d in pairs])
    run: Run = {qid: {} for qid in qids}
    for (qid, doc_id), value in zip(pairs, scores.tolist(), strict=True):
        run[qid][doc_id] = value
    run = {qid: dict(sorted(hits.items(), key=lambda kv: (-kv[1], _desc(kv[0]))))
           for qid, hits in run.items()}
    metrics, per_query = ranking_metrics(run, qrels, list(spec.retrieval.k_values))
    return SplitResult(metrics=metrics, samples=query_samples(qids, per_query), run=run)


def _desc(doc_id: str) -> list[int]:
    """Sort key placing larger doc ids first among equal scores (trec_eval's tie order)."""
    return [-ord(ch) for ch in doc_id] + [1]


def bm25_retrieval(
    spec: TaskSpec, data: RetrievalCorpus, bm25: LexicalModel, fmt: FormatTexts, protocol: Protocol
) -> SplitResult:
    order = search_order(data)
    index = bm25.index(fmt([data.corpus[d] for d in order.doc_ids], "document"))
    queries = fmt([data.queries[qid] for qid in order.qids], "query")
    k = search_depth(spec)
    parts = [top_k_of_block(index.scores(queries[i : i + QUERY_CHUNK]), k)
             for i in range(0, len(queries), QUERY_CHUNK)]
    scores = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, 0), np.float32)
    positions = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, 0), np.int64)
    return score_hits(spec, order, scores, positions, protocol)


def bm25_reranking(spec: TaskSpec, data: RerankGroups, bm25: LexicalModel, fmt: FormatTexts) -> SplitResult:
    groups = usable_groups(data)
    passages = list(dict.fromkeys(t for g in groups for t in (*g.positive, *g.negative)))
    position = {t: i for i, t in enumerate(passages)}
    index = bm25.index(fmt(passages, "document"))
    queries = fmt([g.query for g in groups], "query")
    scores = []
    for start in range(0, len(groups), QUERY_CHUNK):
        block = index.scores(queries[start : start + QUERY_CHUNK])
        for row, group in enumerate(groups[start : start + QUERY_CHUNK]):
            scores.append(block[row, [position[t] for t in (*group.positive, *group.negative)]])
    return score_groups(spec, groups, scores)
