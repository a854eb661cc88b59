"""The vectorised main-score statistics equal the evaluators' own computations (scipy, sklearn,
`pair_classification.best_accuracy`) row by row, ties included."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from sklearn.metrics import average_precision_score

from cmteb.compare import metrics
from cmteb.evaluators.pair_classification import best_accuracy


def _rows(draw_rows: list[list[int]]) -> np.ndarray:
    """Few distinct values (k/3), so ties are frequent."""
    return np.asarray(draw_rows, dtype=np.float64) / 3


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_ap_and_best_accuracy_match_sklearn_and_evaluator(data):
    n = data.draw(st.integers(3, 25))
    labels = np.asarray(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    if labels.sum() == 0:
        labels[0] = 1
    rows = _rows([data.draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)) for _ in range(3)])
    ap = metrics.ap_rows(rows, labels)
    accuracy = metrics.best_accuracy_rows(rows, labels)
    for i, row in enumerate(rows):
        assert ap[i] == pytest.approx(average_precision_score(labels, row), abs=1e-12)
        assert accuracy[i] == pytest.approx(best_accuracy(row, labels), abs=1e-12)


@pytest.mark.filterwarnings("ignore::scipy.stats.ConstantInputWarning")
@settings(max_examples=60, deadline=None)
@given(st.data())
def test_spearman_matches_scipy(data):
    n = data.draw(st.integers(3, 25))
    gold = np.asarray(data.draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), dtype=float)
    rows = _rows([data.draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)) for _ in range(3)])
    got = metrics.spearman_rows(rows, gold)
    for i, row in enumerate(rows):
        expected = spearmanr(gold, row)[0]
        if np.isnan(expected):  # a constant column: scipy says NaN, so do we
            assert np.isnan(got[i])
        else:
            assert got[i] == pytest.approx(expected, abs=1e-12)


def test_ap_by_hand_with_a_tie():
    # ranked: 0.9 (pos), 0.5 (pos), 0.5 (neg), 0.1 (neg): precision 1 at the first positive,
    # the tied pair forms one threshold with precision 2/3 -> AP = (1 + 2/3) / 2
    labels = np.array([1, 1, 0, 0])
    got = metrics.ap_rows(np.array([[0.9, 0.5, 0.5, 0.1]]), labels)
    assert got[0] == pytest.approx((1 + 2 / 3) / 2)


def test_best_accuracy_all_tied_is_zero_as_the_evaluator():
    labels = np.array([1, 0, 1])
    assert metrics.best_accuracy_rows(np.array([[0.3, 0.3, 0.3]]), labels)[0] == 0.0
    assert best_accuracy(np.array([0.3, 0.3, 0.3]), labels) == 0.0
