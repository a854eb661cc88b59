"""Peak memory of a retrieval task as the corpus grows: cmteb's retrieval evaluator (exact
chunked search + pytrec_eval) over synthetic 1024-d unit vectors, 1,000 queries, one relevant
passage each. The embeddings themselves grow with the corpus (4 KiB per passage); what must stay
flat is the memory the search and scoring need on top of them."""

from __future__ import annotations

import gc

import numpy as np

from benchlib.rss import current_rss_mib, measured
from cmteb.data.types import RetrievalCorpus
from cmteb.evaluators import retrieval
from cmteb.protocols import get_protocol
from cmteb.tasks.spec import TaskSpec

DIM = 1024
QUERIES = 1000


def _spec() -> TaskSpec:
    return TaskSpec.model_validate({
        "name": "SyntheticRetrieval", "type": "Retrieval", "description": "memory check",
        "dataset": {"local": "none"}, "splits": {"cmteb": ["dev"], "mteb": ["dev"]},
        "main_score": {"cmteb": "ndcg_at_10", "mteb": "ndcg_at_10"},
    })


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.standard_normal((n, DIM), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def retrieval_peak(n_docs: int) -> dict[str, float]:
    """{'docs', 'embeddings_mib', 'extra_peak_mib', 'seconds', 'full_matrix_mib'} for one size."""
    rng = np.random.default_rng(0)
    vectors = {"query": _unit(rng, QUERIES), "document": _unit(rng, n_docs)}
    doc_ids = [f"d{i}" for i in range(n_docs)]
    data = RetrievalCorpus(corpus={d: d for d in doc_ids},
                           queries={f"q{i}": f"q{i}" for i in range(QUERIES)},
                           qrels={f"q{i}": {doc_ids[int(j)]: 1} for i, j in
                                  enumerate(rng.integers(0, n_docs, QUERIES))})

    def embed(texts, role):
        return vectors[role]

    gc.collect()
    base = current_rss_mib()
    _, seconds, _, peak = measured(lambda: retrieval.evaluate(_spec(), data, embed, get_protocol("cmteb")))
    embeddings = sum(v.nbytes for v in vectors.values()) / 2**20
    return {"docs": n_docs, "embeddings_mib": embeddings, "extra_peak_mib": peak - base,
            "seconds": seconds, "full_matrix_mib": QUERIES * n_docs * 4 / 2**20}
