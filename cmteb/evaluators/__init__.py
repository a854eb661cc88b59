"""Evaluators: one module per type, each `evaluate(spec, data, embed, protocol) -> SplitResult`.

`embed(texts, role)` is a `cmteb.models.embedder.TaskEmbedder`: float32 (n, dim) rows in input
order. Metrics use mteb 2.x key names with scores in 0-1; the split's main score is added by the
runner from the task spec, not here. Each module also has `embed_inputs(spec, data)`: the texts of
each embed call its `evaluate` makes, so the progress bar knows its total before any encoding
(`texts_to_embed`; tests/engine/test_progress.py checks the two agree).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cmteb.data.types import SplitData
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
    spec: TaskSpec, data: SplitData, embed: TaskEmbedder, protocol: Protocol
) -> SplitResult:
    """Score one split of `spec` with the evaluator for its type."""
    module = importlib.import_module(_MODULES[spec.type])
    return module.evaluate(spec, data, embed, protocol)


def texts_to_embed(spec: TaskSpec, data: SplitData) -> int:
    """Distinct texts `evaluate_split` hands the embedder for this split, summed over its embed
    calls (each call dedupes on its own): known before any encoding, the progress bar's total."""
    module = importlib.import_module(_MODULES[spec.type])
    return sum(len(set(texts)) for texts in module.embed_inputs(spec, data))
