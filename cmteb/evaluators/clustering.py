"""Clustering: MiniBatchKMeans per set and v-measure, as mteb 2's legacy clustering
(`AbsTaskClusteringLegacy` + `ClusteringEvaluator`).

All sets' texts are embedded in one `symmetric` call (the embedder dedupes), then split per set.
Per set: `MiniBatchKMeans(n_clusters=#gold labels, batch_size, n_init="auto",
random_state=seed)` and sklearn's `v_measure_score`; a set with <= 1 gold label scores 1.0
without being embedded. mteb 1.1 (the published tables) left `random_state` unset, which drew from
the global RNG that its `Evaluator.__init__` had just re-seeded with 42: the same stream as
`random_state=42`, so both protocols score identically.
Metrics: `v_measure` (mean), `v_measure_std` (population std), `v_measures` (per set).
Samples: `v_measure` per set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sklearn.cluster import MiniBatchKMeans
from sklearn.metrics import v_measure_score

from cmteb.evaluators import SplitResult

if TYPE_CHECKING:
    from cmteb.data.types import ClusteringSets
    from cmteb.models.embedder import TaskEmbedder
    from cmteb.protocols import Protocol
    from cmteb.tasks.spec import TaskSpec


def embed_inputs(spec: TaskSpec, data: ClusteringSets) -> list[list[str]]:
    """The texts of each embed call `evaluate` makes (one: the sets with more than one label)."""
    texts = [t for s in data.sets if len(set(s.labels)) > 1 for t in s.sentences]
    return [texts] if texts else []


def evaluate(
    spec: TaskSpec, data: ClusteringSets, embed: TaskEmbedder, protocol: Protocol
) -> SplitResult:
    """Score one clustering split; identical under both protocols."""
    cfg = spec.clustering
    to_cluster = [s for s in data.sets if len(set(s.labels)) > 1]
    texts = [t for s in to_cluster for t in s.sentences]
    emb = embed(texts, "symmetric") if texts else None
    v_measures: list[float] = []
    start = 0
    for cluster_set in data.sets:
        n_labels = len(set(cluster_set.labels))
        if n_labels <= 1:
            v_measures.append(1.0)
            continue
        rows = emb[start : start + len(cluster_set.sentences)]
        start += len(cluster_set.sentences)
        model = MiniBatchKMeans(
            n_clusters=n_labels, batch_size=cfg.batch_size, n_init="auto", random_state=cfg.seed
        ).fit(rows)
        v_measures.append(float(v_measure_score(cluster_set.labels, model.labels_)))
    metrics = {
        "v_measure": float(np.mean(v_measures)),
        "v_measure_std": float(np.std(v_measures)),
        "v_measures": v_measures,
    }
    return SplitResult(metrics=metrics, samples={"v_measure": list(v_measures)})
