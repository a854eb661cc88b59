"""Exact cosine search: each query's top k documents, in bounded memory.

`top_k_cosine(queries, docs, k)` scores (QUERY_CHUNK x CORPUS_CHUNK) float32 blocks of unit-row
matrix products, keeps each block's k best per query, then merges a query chunk's candidates.
Peak extra memory is about QUERY_CHUNK x CORPUS_CHUNK x 14 bytes (scores, a partitioned copy,
masks, a tie count), ~0.12 GB for 256 x 32768 whatever the corpus size, plus unit-norm copies of
the inputs.

Ordering policy: score descending, ties by lower document position first. Callers order the
corpus by doc id descending, so ties follow trec_eval's order (doc id descending) and the top k
is exactly the first k of the ranking pytrec_eval scores. Selection is exact at the k boundary
too: among documents tied with a block's k-th best score, the lowest positions are kept.
"""

from __future__ import annotations

import numpy as np

QUERY_CHUNK = 256
CORPUS_CHUNK = 32_768


def unit_rows(x: np.ndarray) -> np.ndarray:
    """(n, dim) -> float32 rows scaled to unit L2 norm (zero rows stay zero; eps as torch's)."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, np.float32(1e-12))


def top_k_cosine(
    queries: np.ndarray,
    docs: np.ndarray,
    k: int,
    *,
    query_chunk: int = QUERY_CHUNK,
    corpus_chunk: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(nq, dim), (nd, dim) -> (scores float32, positions int64), both (nq, min(k, nd)), rows
    ranked best first (module policy). `corpus_chunk` None = CORPUS_CHUNK (read at call time)."""
    corpus_chunk = corpus_chunk or CORPUS_CHUNK
    q, d = unit_rows(queries), unit_rows(docs)
    k = min(k, len(d))
    scores = np.empty((len(q), k), dtype=np.float32)
    positions = np.empty((len(q), k), dtype=np.int64)
    if k == 0:
        return scores, positions
    for qs in range(0, len(q), query_chunk):
        cand_scores, cand_pos = [], []
        for ds in range(0, len(d), corpus_chunk):
            block = q[qs : qs + query_chunk] @ d[ds : ds + corpus_chunk].T
            cols = _block_top_k(block, k)
            cand_scores.append(np.take_along_axis(block, cols, axis=1))
            cand_pos.append(cols + ds)
        merged = merge_top_k(cand_scores, cand_pos, k)
        scores[qs : qs + query_chunk], positions[qs : qs + query_chunk] = merged
    return scores, positions


def top_k_of_block(block: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, n) scores of any kind -> (scores, positions), both (rows, min(k, n)), each row ranked
    best first by the module's ordering policy (score descending, lower position first)."""
    cols = _block_top_k(block, k)
    picked = np.take_along_axis(block, cols, axis=1)
    order = np.lexsort((cols, -picked), axis=1)
    return np.take_along_axis(picked, order, axis=1), np.take_along_axis(cols, order, axis=1)


def merge_top_k(
    scores: list[np.ndarray], positions: list[np.ndarray], k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate blocks (each (nq, c_i), positions global) -> each row's k best by the module
    policy (score descending, then lower position): (scores, positions), (nq, min(k, sum c_i))."""
    cs, cp = np.concatenate(scores, axis=1), np.concatenate(positions, axis=1)
    order = np.lexsort((cp, -cs), axis=1)[:, :k]
    return np.take_along_axis(cs, order, axis=1), np.take_along_axis(cp, order, axis=1)


def _block_top_k(block: np.ndarray, k: int) -> np.ndarray:
    """(rows, n) scores -> (rows, min(k, n)) column indexes of each row's best, ascending: every
    column scoring above the row's k-th best score, then the lowest-index columns tied with it."""
    rows, n = block.shape
    if k >= n:
        return np.tile(np.arange(n), (rows, 1))
    kth = np.partition(block, n - k, axis=1)[:, n - k : n - k + 1]
    above, tied = block > kth, block == kth
    room = k - above.sum(axis=1, keepdims=True)
    keep = above | (tied & (np.cumsum(tied, axis=1, dtype=np.int32) <= room))
    return np.nonzero(keep)[1].reshape(rows, k)
