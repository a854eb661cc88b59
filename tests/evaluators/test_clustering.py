"""Clustering: parity with the pinned mteb's legacy clustering and with mteb 1.1's unseeded
k-means, single-label sets, embed calls."""

from __future__ import annotations

import numpy as np
import pytest

from cmteb.data.types import ClusteringSet, ClusteringSets
from cmteb.evaluators import clustering
from cmteb.protocols import PROTOCOLS
from tests.conftest import make_spec
from tests.evaluators._support import FakeEmbed, fake_vectors, make_mteb_task, run_mteb_task


def clustering_data() -> ClusteringSets:
    def one_set(n: int, n_labels: int, tag: str) -> ClusteringSet:
        labels = [f"L{(i * 5) % n_labels}" for i in range(n)]
        # every third text sits in another label's topic: imperfect clusters
        topics = [f"L{(i * 5 + (i % 3 == 0)) % n_labels}" for i in range(n)]
        return ClusteringSet([f"{topic}|{tag}{i}" for i, topic in enumerate(topics)], labels)

    single = ClusteringSet(["lonely|a", "lonely|b"], ["only", "only"])
    return ClusteringSets([one_set(30, 4, "s"), single, one_set(25, 3, "u")])


def test_matches_mteb():
    from datasets import Dataset
    from mteb.abstasks.clustering_legacy import AbsTaskClusteringLegacy

    data = clustering_data()
    spec = make_spec("Clustering", clustering={"batch_size": 8})
    ours = clustering.evaluate(spec, data, FakeEmbed(), PROTOCOLS["cmteb"])
    task = make_mteb_task(AbsTaskClusteringLegacy, "Clustering", "v_measure")
    columns = {"sentences": [s.sentences for s in data.sets],
               "labels": [s.labels for s in data.sets]}
    theirs = run_mteb_task(task, {"test": Dataset.from_dict(columns)}, clustering_batch_size=8)
    assert ours.metrics["v_measures"] == pytest.approx(theirs["v_measures"], abs=1e-12)
    assert ours.metrics["v_measure"] == pytest.approx(theirs["v_measure"], abs=1e-12)
    assert ours.metrics["v_measure_std"] == pytest.approx(theirs["v_measure_std"], abs=1e-12)
    assert 0 < min(ours.metrics["v_measures"]) < 1
    assert ours.samples == {"v_measure": ours.metrics["v_measures"]}


def test_single_label_set_scores_one_without_embedding():
    data = clustering_data()
    embed = FakeEmbed()
    result = clustering.evaluate(make_spec("Clustering"), data, embed, PROTOCOLS["mteb"])
    assert result.metrics["v_measures"][1] == 1.0
    texts = data.sets[0].sentences + data.sets[2].sentences
    assert embed.calls == [("symmetric", texts)]


def test_separated_clusters_by_hand():
    centers = {"x": [10.0, 0.0], "y": [0.0, 10.0], "z": [-10.0, -10.0]}
    sentences = [f"{c}{i}" for c in "xyz" for i in range(4)]

    def embed(texts, role):
        return np.asarray([np.add(centers[t[0]], 0.01 * int(t[1:])) for t in texts], "float32")

    data = ClusteringSets([ClusteringSet(sentences, [s[0] for s in sentences])])
    result = clustering.evaluate(make_spec("Clustering"), data, embed, PROTOCOLS["cmteb"])
    assert result.metrics == {"v_measure": 1.0, "v_measure_std": 0.0, "v_measures": [1.0]}


def test_mteb11_unseeded_kmeans_after_global_reseed_is_the_same():
    """mteb 1.1's ClusteringEvaluator (the published tables) set no random_state; its
    `Evaluator.__init__` had just re-seeded the global RNG with 42 (re-implemented here)."""
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.metrics import v_measure_score

    data = clustering_data()
    spec = make_spec("Clustering", clustering={"batch_size": 8})
    ours = clustering.evaluate(spec, data, FakeEmbed(), PROTOCOLS["cmteb"])
    state, old = np.random.get_state(), []
    try:
        for cluster_set in data.sets:
            np.random.seed(42)  # Evaluator.__init__(seed=42)
            model = MiniBatchKMeans(n_clusters=len(set(cluster_set.labels)), batch_size=8,
                                    n_init="auto").fit(fake_vectors(cluster_set.sentences))
            old.append(v_measure_score(cluster_set.labels, model.labels_))
    finally:
        np.random.set_state(state)
    assert ours.metrics["v_measures"] == pytest.approx(old, abs=1e-12)
