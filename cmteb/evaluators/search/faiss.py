"""The optional faiss search (`--search faiss`, `pip install 'cmteb[faiss]'`).

`faiss_top_k(queries, docs, k)` returns each query's k best documents by cosine from faiss's
exhaustive inner-product search over unit rows (`faiss.knn`; a flat index on GPUs): exact search,
the same products as cmteb's own search computed in another order, so scores agree to ~1e-7 and
near-tied documents may swap places. The hits faiss picks are then ranked by cmteb's ordering
policy (score descending, lower position first, `search.exact`); among documents tied at the k-th
score, faiss keeps whichever it met first, where cmteb's own search keeps the lowest positions.
With a faiss GPU build and a visible GPU, a flat index runs on every GPU
(`index_cpu_to_all_gpus`). On the CPU faiss searches the unit-norm copy of the passages in place,
in blocks, so memory stays bounded as with cmteb's own search.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cmteb.errors import UserError
from cmteb.evaluators.search.exact import merge_top_k, unit_rows

INSTALL_HINT = "pip install 'cmteb[faiss]' (faiss-cpu, or a faiss GPU build)"


def import_faiss() -> Any:
    """The faiss module, or a UserError saying how to install it."""
    try:
        import faiss
    except ImportError as exc:
        raise UserError(f"--search faiss needs the faiss package: {INSTALL_HINT} ({exc})") from exc
    return faiss


def faiss_top_k(queries: np.ndarray, docs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(nq, dim), (nd, dim) -> (scores float32, positions int64), both (nq, min(k, nd)): cosine
    top k, faiss's picks ranked by the `search.exact` policy (module docstring)."""
    faiss = import_faiss()
    k = min(k, len(docs))
    if k == 0 or len(queries) == 0:
        return np.empty((len(queries), k), dtype=np.float32), np.empty((len(queries), k), dtype=np.int64)
    q, d = unit_rows(queries), unit_rows(docs)
    if faiss.get_num_gpus() > 0:
        index = faiss.index_cpu_to_all_gpus(faiss.IndexFlatIP(d.shape[1]))
        index.add(d)
        scores, positions = index.search(q, k)
    else:  # no index: faiss searches the unit rows in place
        scores, positions = faiss.knn(q, d, k, metric=faiss.METRIC_INNER_PRODUCT)
    positions = positions.astype(np.int64, copy=False)
    # faiss ranks each row best first; rows holding equal scores are ranked again by the policy
    tied = np.flatnonzero((scores[:, 1:] == scores[:, :-1]).any(axis=1))
    if len(tied):
        scores[tied], positions[tied] = merge_top_k([scores[tied]], [positions[tied]], k)
    return scores, positions
