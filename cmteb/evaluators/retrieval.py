"""Retrieval: exact cosine search over the whole corpus, then pytrec_eval metrics as mteb 2.

Queries are those with a non-empty qrels entry (mteb drops the others); they are embedded with
role `query`, the passages with role `document`. `_search.top_k_cosine` returns each query's
top k + 1 (k = max(k_values)) by score, ties by doc id descending (trec_eval's order).

Identical ids (`protocol.ignore_identical_ids`): mteb 1.1 searched through BEIR, which skipped a
hit whose doc id equals the query id and still kept k hits; the pinned mteb keeps it. The run of
each rule is the first k of the k + 1 hits after (or without) dropping the query's own id. When
no query finds its own id in its top k the two runs are identical; otherwise the other
protocol's metrics go to `metrics["protocol_variants"] = {<protocol name>: {...}}`.

Metrics: see `_ranking.ranking_metrics` (ndcg/map/recall/precision/hit_rate at k rounded to
5 dp, mrr_at_k, accuracy; no nAUC). Samples: `ndcg_at_10` per query and the parallel
`query_ids`. `SplitResult.run` holds the selected protocol's hits `{qid: {doc_id: score}}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cmteb.evaluators import SplitResult
from cmteb.evaluators._ranking import SAMPLE_K, ranking_metrics
from cmteb.evaluators._search import top_k_cosine
from cmteb.protocols import other_protocol

if TYPE_CHECKING:
    from cmteb.data.types import RetrievalCorpus
    from cmteb.models.embedder import TaskEmbedder
    from cmteb.protocols import Protocol
    from cmteb.tasks.spec import TaskSpec

Run = dict[str, dict[str, float]]


@dataclass(frozen=True)
class SearchOrder:
    """Which queries are scored and the corpus order searched (row i of the embeddings).

    `qids`: queries with a non-empty judgement, in data order; `doc_ids`: every corpus id,
    descending (trec_eval's tie order); `qrels`: the judgements of `qids`.
    """

    qids: list[str]
    doc_ids: list[str]
    qrels: dict[str, dict[str, int]]


def search_order(data: RetrievalCorpus) -> SearchOrder:
    qrels = {qid: rels for qid, rels in data.qrels.items() if rels and qid in data.queries}
    qids = [qid for qid in data.queries if qid in qrels]
    return SearchOrder(qids, sorted(data.corpus, reverse=True), qrels)


def search_depth(spec: TaskSpec) -> int:
    """Hits kept per query: max k + 1 (room to drop the query's own id)."""
    return max(spec.retrieval.k_values) + 1


def embed_inputs(spec: TaskSpec, data: RetrievalCorpus) -> list[list[str]]:
    """The texts of each embed call `evaluate` makes: the judged queries, then the corpus."""
    order = search_order(data)
    return [[data.queries[qid] for qid in order.qids], [data.corpus[d] for d in order.doc_ids]]


def evaluate(
    spec: TaskSpec, data: RetrievalCorpus, embed: TaskEmbedder, protocol: Protocol
) -> SplitResult:
    """Score one retrieval split under `protocol`; the other protocol's metrics when they differ."""
    order = search_order(data)
    q_emb = embed([data.queries[qid] for qid in order.qids], "query")
    d_emb = embed([data.corpus[doc_id] for doc_id in order.doc_ids], "document")
    scores, positions = top_k_cosine(q_emb, d_emb, search_depth(spec))
    del q_emb, d_emb
    return score_hits(spec, order, scores, positions, protocol)


def score_hits(
    spec: TaskSpec, order: SearchOrder, scores: np.ndarray, positions: np.ndarray, protocol: Protocol
) -> SplitResult:
    """Metrics from the search's hits: (nq, search_depth) scores and corpus positions, best first
    (as `top_k_cosine` returns them; distributed runs merge chunks' hits into the same arrays)."""
    k_values = list(spec.retrieval.k_values)
    top_k = max(k_values)
    qids, doc_ids, qrels = order.qids, order.doc_ids, order.qrels
    own_hit = _own_id_hits(qids, doc_ids, positions)

    def run_for(ignore_identical_ids: bool) -> Run:
        keep = _kept_hits(own_hit, top_k, ignore_identical_ids)
        return _build_run(qids, doc_ids, scores, positions, keep)

    run = run_for(protocol.ignore_identical_ids)
    metrics, per_query = ranking_metrics(run, qrels, k_values)
    if own_hit[:, :top_k].any():
        other = other_protocol(protocol.name)
        other_metrics, _ = ranking_metrics(run_for(other.ignore_identical_ids), qrels, k_values)
        metrics["protocol_variants"] = {other.name: other_metrics}
    return SplitResult(metrics=metrics, samples=query_samples(qids, per_query), run=run)


def query_samples(qids: list[str], per_query: dict[str, dict[str, float]]) -> dict[str, list]:
    """Per-query samples: `ndcg_at_10` and the parallel `query_ids`."""
    return {
        f"ndcg_at_{SAMPLE_K}": [per_query[qid][f"ndcg_cut_{SAMPLE_K}"] for qid in qids],
        "query_ids": list(qids),
    }


def _own_id_hits(qids: list[str], doc_ids: list[str], positions: np.ndarray) -> np.ndarray:
    """(nq, hits) bool: the hit's doc id equals the query's id."""
    position_of = {doc_id: i for i, doc_id in enumerate(doc_ids)}
    own = np.asarray([position_of.get(qid, -1) for qid in qids], dtype=np.int64)
    return positions == own.reshape(-1, 1)


def _kept_hits(own_hit: np.ndarray, top_k: int, ignore_identical_ids: bool) -> np.ndarray:
    """(nq, hits) bool: the first `top_k` hits, after dropping own ids if asked."""
    allowed = ~own_hit if ignore_identical_ids else np.ones_like(own_hit)
    return allowed & (np.cumsum(allowed, axis=1) <= top_k)


def _build_run(
    qids: list[str], doc_ids: list[str], scores: np.ndarray, positions: np.ndarray,
    keep: np.ndarray,
) -> Run:
    """`{qid: {doc_id: score}}` of the kept hits, best first."""
    ids = np.asarray(doc_ids, dtype=object)
    return {
        qid: dict(zip(ids[positions[i][keep[i]]].tolist(), scores[i][keep[i]].tolist(),
                      strict=True))
        for i, qid in enumerate(qids)
    }
