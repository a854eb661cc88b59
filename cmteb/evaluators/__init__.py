"""Evaluators: one module per type, each `evaluate(spec, data, embed, protocol) -> SplitResult`;
`dispatch.evaluate_split` picks the module for a task's type.

`embed(texts, role)` is a `cmteb.models.embedder.TaskEmbedder`: float32 (n, dim) rows in input
order. Metrics use mteb 2.x key names with scores in 0-1; the split's main score is added by the
pipeline from the task spec, not here. Retrieval also takes the run's searcher (`search/`). Each
module also has `embed_inputs(spec, data)`: the texts of each embed call its `evaluate` makes, so
the progress bar knows its total before any encoding (`dispatch.texts_to_embed`;
tests/engine/test_progress.py checks the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
