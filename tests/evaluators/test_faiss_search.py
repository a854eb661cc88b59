"""`--search faiss`: faiss's flat index gives the exact search's hits, ranked by cmteb's policy;
a missing faiss is a clear error; a faiss GPU build puts the index on the GPUs (fake module)."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest

from cmteb.errors import UserError
from cmteb.evaluators.search import get_searcher
from cmteb.evaluators.search.exact import top_k_cosine, unit_rows

faiss = pytest.importorskip("faiss")


def axis_docs(n_docs: int, rng: np.random.Generator) -> np.ndarray:
    """Each document on an axis of its own (scaled): a query's score for document j is exactly
    unit(query)[j], in any summation order."""
    return np.eye(n_docs, dtype=np.float32) * rng.uniform(0.5, 2, size=(n_docs, 1)).astype("float32")


def policy_order(scores: np.ndarray) -> np.ndarray:
    """(nq, nd) -> positions by score descending, then lower position (the search policy)."""
    return np.lexsort((np.tile(np.arange(scores.shape[1]), (len(scores), 1)), -scores), axis=1)


@pytest.mark.parametrize("k", [2, 6, 18, 40])
def test_faiss_gives_the_exact_search_hits_and_ranks_ties_by_position(k):
    rng = np.random.default_rng(0)
    docs = axis_docs(40, rng)
    # every score occurs exactly twice per query: ties inside the top k, none at an even k-th place
    queries = np.stack([rng.permutation(np.repeat(np.arange(-10, 10), 2)) for _ in range(12)])
    queries = queries.astype(np.float32) + 0.5
    expected = policy_order(unit_rows(queries))[:, :k]
    scores, positions = get_searcher("faiss")(queries, docs, k)
    np.testing.assert_array_equal(positions, expected)
    np.testing.assert_array_equal(positions, top_k_cosine(queries, docs, k)[1])  # the exact search
    np.testing.assert_array_equal(scores, np.take_along_axis(unit_rows(queries), expected, axis=1))


def test_faiss_on_random_embeddings_matches_the_exact_search_scores():
    rng = np.random.default_rng(1)
    queries = rng.standard_normal((30, 32)).astype(np.float32)
    docs = rng.standard_normal((500, 32)).astype(np.float32)
    exact_scores, exact_positions = top_k_cosine(queries, docs, 50)
    scores, positions = get_searcher("faiss")(queries, docs, 50)
    np.testing.assert_allclose(scores, exact_scores, atol=1e-6)
    assert (positions == exact_positions).mean() > 0.99  # only near-ties may swap


def test_missing_faiss_is_a_user_error_with_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "faiss", None)  # import faiss -> ImportError
    with pytest.raises(UserError, match=r"pip install 'cmteb\[faiss\]'"):
        get_searcher("faiss")


def test_a_faiss_gpu_build_searches_a_flat_index_on_every_gpu(monkeypatch):
    """CPU stand-in for faiss-gpu: a fake GPU count, and a "GPU copy" that is the real flat index
    recording what it is asked to do."""
    calls = []

    class OnAllGpus:
        def __init__(self, index):
            calls.append(("moved", index.ntotal))
            self.index = index

        def add(self, x):
            calls.append(("add", len(x)))
            self.index.add(x)

        def search(self, x, k):
            calls.append(("search", len(x), k))
            return self.index.search(x, k)

    monkeypatch.setitem(sys.modules, "faiss", SimpleNamespace(
        IndexFlatIP=faiss.IndexFlatIP, get_num_gpus=lambda: 2, index_cpu_to_all_gpus=OnAllGpus))
    rng = np.random.default_rng(2)
    docs = axis_docs(9, rng)
    queries = rng.standard_normal((3, 9)).astype(np.float32)
    _, positions = get_searcher("faiss")(queries, docs, 4)
    assert calls == [("moved", 0), ("add", 9), ("search", 3, 4)]
    np.testing.assert_array_equal(positions, policy_order(unit_rows(queries))[:, :4])


def test_unknown_search_is_refused():
    with pytest.raises(UserError, match="unknown search 'annoy'; choose one of exact, faiss"):
        get_searcher("annoy")
