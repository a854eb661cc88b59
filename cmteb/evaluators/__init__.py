"""Evaluators: one module per type, each `evaluate(spec, data, embed, protocol) -> SplitResult`.

`embed(texts, role)` is a `cmteb.models.embedder.TaskEmbedder`: float32 (n, dim) rows in input
order. Metrics use mteb 2.x key names with scores in 0-1; the split's main score is added by the
pipeline from the task spec, not here. Retrieval also takes the run's searcher (`search/`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cmteb.data.types import SplitData
    from cmteb.evaluators.search import Searcher
    from cmteb.models.embedder import TaskEmbedder
    from cmteb.protocols import Protocol
    from cmteb.tasks.spec import TaskSpec


@dataclass
class SplitResult:
    """Scores of one split.

    `metrics`: mteb-named metrics (floats in 0-1, plus lists such as `v_measures`).
    `samples`: per-sample scores for significance tests, one list per key, documented per type
        (floats; retrieval adds the parallel `query_ids` strings). JSON-serialisable.
    `run`: retrieval's ranked hits `{query_id: {doc_id: score}}` (the selected protocol's top k),
        for reranking a first stage later; None for other types.
    """

    metrics: dict[str, Any]
    samples: dict[str, list[Any]] = field(default_factory=dict)
    run: dict[str, dict[str, float]] | None = None


_MODULES = {
    "STS": "cmteb.evaluators.sts",
    "PairClassification": "cmteb.evaluators.pair_classification",
    "Classification": "cmteb.evaluators.classification",
    "Clustering": "cmteb.evaluators.clustering",
    "Retrieval": "cmteb.evaluators.retrieval",
    "Reranking": "cmteb.evaluators.reranking",
}


def evaluate_split(
    spec: TaskSpec, data: SplitData, embed: TaskEmbedder, protocol: Protocol, search: Searcher
) -> SplitResult:
    """Score one split of `spec` with the evaluator for its type; a retrieval split searches
    with `search` (`cmteb.evaluators.search`)."""
    module = importlib.import_module(_MODULES[spec.type])
    if spec.type == "Retrieval":
        return module.evaluate(spec, data, embed, protocol, search)
    return module.evaluate(spec, data, embed, protocol)
