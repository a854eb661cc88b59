"""Which evaluator scores a task: `evaluate_split` imports the module of the task's type on first use.

Each module (`sts`, `pair_classification`, `classification`, `clustering`, `retrieval`,
`reranking`) has `evaluate(spec, data, embed, protocol) -> SplitResult`; retrieval also takes the
run's searcher (`cmteb.evaluators.search`). Each also has `embed_inputs(spec, data)`, the texts of
each of its embed calls, from which `texts_to_embed` sizes the progress bar before any encoding.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cmteb.data.types import SplitData
    from cmteb.evaluators import SplitResult
    from cmteb.evaluators.search import Searcher
    from cmteb.models.embedder import TaskEmbedder
    from cmteb.protocols import Protocol
    from cmteb.tasks.spec import TaskSpec

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


def texts_to_embed(spec: TaskSpec, data: SplitData) -> int:
    """Distinct texts `evaluate_split` hands the embedder for this split, summed over its embed
    calls (each call dedupes on its own): known before any encoding, the progress bar's total."""
    module = importlib.import_module(_MODULES[spec.type])
    return sum(len(set(texts)) for texts in module.embed_inputs(spec, data))
