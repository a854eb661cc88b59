"""Retrieval search: each query's top k documents by cosine, chosen by name (`--search`).

A `Searcher` is `(queries (nq, dim), docs (nd, dim), k) -> (scores float32, positions int64)`,
both (nq, min(k, nd)), rows best first by the ordering policy of `exact` (score descending, then
lower corpus position). The pipeline picks one with `get_searcher(config.search)` and passes it
down to the retrieval evaluator and to Ray's corpus-chunk jobs; nothing selects it implicitly.

- `exact.py`: cmteb's own exact search (torch, bounded memory), and the ordering policy's helpers;
- `faiss.py`: faiss's exhaustive search (optional extra), its hits ranked by the same policy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cmteb.errors import UserError
from cmteb.evaluators.search import exact

Searcher = Callable[[np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray]]
SEARCHES = ("exact", "faiss")


def get_searcher(name: str) -> Searcher:
    """The searcher called `name`; UserError for an unknown name, or for faiss when it is not
    installed (so a run refuses it before any work)."""
    if name == "exact":
        return exact.top_k_cosine
    if name == "faiss":
        from cmteb.evaluators.search import faiss

        faiss.import_faiss()
        return faiss.faiss_top_k
    raise UserError(f"unknown search {name!r}; choose one of {', '.join(SEARCHES)}")
