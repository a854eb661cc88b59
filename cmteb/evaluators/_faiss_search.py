"""The optional faiss search (`--search faiss`, `pip install 'cmteb[faiss]'`).

`faiss_top_k(queries, docs, k)` takes unit rows and returns each query's k best documents from a
flat inner-product index (`faiss.IndexFlatIP`): exact search, the same products as cmteb's own
search computed in another order, so scores agree to ~1e-7 and near-tied documents may swap
places. The hits faiss picks are then ranked by cmteb's ordering policy (score descending, lower
position first, `_search`); among documents tied at the k-th score, faiss keeps whichever it met
first, where cmteb's own search keeps the lowest positions. With a faiss GPU build and a visible
GPU, the index runs on every GPU (`index_cpu_to_all_gpus`). faiss holds its own copy of the
passage embeddings and searches in blocks, so memory stays bounded as with cmteb's own search.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cmteb.errors import UserError

INSTALL_HINT = "pip install 'cmteb[faiss]' (faiss-cpu, or a faiss GPU build)"


def import_faiss() -> Any:
    """The faiss module, or a UserError saying how to install it."""
    try:
        import faiss
    except ImportError as exc:
        raise UserError(f"--search faiss needs the faiss package: {INSTALL_HINT} ({exc})") from exc
    return faiss


def flat_index(docs: np.ndarray) -> Any:
    """A flat inner-product index over unit rows `docs` (nd, dim), on every GPU when faiss has any."""
    faiss = import_faiss()
    index = faiss.IndexFlatIP(docs.shape[1])
    index.add(np.ascontiguousarray(docs, dtype=np.float32))
    if getattr(faiss, "get_num_gpus", lambda: 0)() > 0:
        index = faiss.index_cpu_to_all_gpus(index)
    return index


def faiss_top_k(queries: np.ndarray, docs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit rows (nq, dim), (nd, dim) -> (scores float32, positions int64), both (nq, min(k, nd)),
    faiss's picks ranked by the `_search` policy (module docstring)."""
    from cmteb.evaluators._search import merge_top_k

    k = min(k, len(docs))
    if k == 0 or len(queries) == 0:
        return np.empty((len(queries), k), dtype=np.float32), np.empty((len(queries), k), dtype=np.int64)
    scores, positions = flat_index(docs).search(np.ascontiguousarray(queries, dtype=np.float32), k)
    return merge_top_k([scores], [positions.astype(np.int64, copy=False)], k)
