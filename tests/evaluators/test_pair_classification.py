"""PairClassification: the sklearn best-threshold formulation equals mteb's hand loops bit for bit,
hand-calculated thresholds, and parity with the pinned mteb's AbsTaskPairClassification."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmteb.data.types import PairLabels
from cmteb.evaluators import pair_classification as pc
from cmteb.protocols import PROTOCOLS
from tests.conftest import make_spec
from tests.evaluators._support import FakeEmbed, make_mteb_task, run_mteb_task

rows = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 1)), min_size=1, max_size=40)


def mteb_loops():
    from mteb.abstasks.pair_classification import AbsTaskPairClassification as Task

    return Task._find_best_acc_and_threshold, Task._find_best_f1_and_threshold


@settings(max_examples=300, deadline=None)
@given(rows=rows, scale=st.sampled_from([1.0, 0.1, -0.37]), higher=st.booleans())
def test_threshold_search_equals_mteb_loops_exactly(rows, scale, higher):
    """Few distinct scores force ties; both score directions; results compared with ==."""
    best_acc, best_f1 = mteb_loops()
    scores = [s * scale for s, _ in rows]
    labels = np.asarray([label for _, label in rows], dtype=np.int64)
    signed = np.asarray(scores) * (1 if higher else -1)
    acc, _ = best_acc(None, scores, labels, higher)
    f1, precision, recall, _ = best_f1(None, scores, labels, higher)
    assert pc.best_accuracy(signed, labels) == acc
    assert pc.best_f1(signed, labels) == (f1, precision, recall)


def test_thresholds_by_hand():
    scores = np.array([0.9, 0.8, 0.8, 0.1])
    labels = np.array([1, 0, 1, 0])
    # cut after 0.9: TP 1, TN 2 -> 3/4; after the tied 0.8s: TP 2, TN 1 -> 3/4; "all positive"
    # is not a candidate
    assert pc.best_accuracy(scores, labels) == 0.75
    # after 0.9: p 1, r 1/2, F1 2/3; after 0.8: p 2/3, r 1, F1 0.8
    f1, precision, recall = pc.best_f1(scores, labels)
    assert (f1, precision, recall) == pytest.approx((0.8, 2 / 3, 1.0))


def test_single_distinct_score_has_no_threshold():
    scores, labels = np.array([0.5, 0.5, 0.5]), np.array([1, 0, 1])
    assert pc.best_accuracy(scores, labels) == 0.0
    assert pc.best_f1(scores, labels) == (0.0, 0.0, 0.0)


def pair_data() -> PairLabels:
    s1, s2, labels = [], [], []
    for i in range(30):
        same = i % 5 != 0 if i < 20 else i % 4 == 0  # mostly similar pairs first, then mostly not
        topic = f"t{i % 7}"
        s1.append(f"{topic}|x{i}")
        s2.append(f"{topic}|y{i}" if same else f"t{(i + 3) % 7}|y{i}")
        labels.append(int(same) if i % 9 else 1 - int(same))  # some label noise
    s1.append(s1[0])  # an exact duplicate pair: tied scores across pairs
    s2.append(s2[0])
    labels.append(0)
    return PairLabels(s1, s2, labels)


def test_matches_mteb():
    from datasets import Dataset
    from mteb.abstasks.pair_classification import AbsTaskPairClassification

    data = pair_data()
    ours = pc.evaluate(make_spec("PairClassification"), data, FakeEmbed(), PROTOCOLS["mteb"])
    task = make_mteb_task(AbsTaskPairClassification, "PairClassification", "max_ap")
    columns = {"sentence1": data.sentence1, "sentence2": data.sentence2, "labels": data.label}
    theirs = run_mteb_task(task, {"test": Dataset.from_dict(columns)})
    assert set(theirs) - set(ours.metrics) == {"main_score"}
    for key, value in ours.metrics.items():
        # mteb's `similarity_*` score with torch's pairwise cosine: equal to float32 rounding
        tolerance = 1e-6 if key.startswith("similarity_") else 1e-12
        assert value == pytest.approx(theirs[key], abs=tolerance), key
    assert ours.samples["label"] == data.label
    for name in ("cosine", "manhattan", "euclidean", "dot"):  # the samples rebuild each metric
        recomputed = pc.threshold_metrics(np.asarray(ours.samples[name]), np.asarray(data.label))
        assert recomputed["ap"] == ours.metrics[f"{name}_ap"], name
        assert recomputed["accuracy"] == ours.metrics[f"{name}_accuracy"], name
    similarities = ("cosine", "dot", "euclidean", "manhattan")
    assert ours.metrics["max_ap"] == max(ours.metrics[f"{name}_ap"] for name in similarities)
