"""Row counts of loaded task data, and their check against a task's `expected_size`.

Counts per split (the keys of `cmteb.tasks.spec.SIZE_KEYS`), the numbers the pinned mteb's
descriptive statistics give for the same data:
    STS, PairClassification: pairs
    Classification: samples (the train split is counted under its own name)
    Clustering: texts (over all sets)
    Retrieval: queries (those with qrels), corpus (documents), relevant_qrels (judgements with a
        non-zero score: mteb's num_relevant_docs)
    Reranking: queries (groups), candidates (positives + negatives), positives
Which data is checked is the loader's policy (`cmteb.data.loader`); a split the data lacks, or one
the task gives no expected size for, is not compared.
"""

from __future__ import annotations

from collections.abc import Mapping

from cmteb.data.types import (
    ClusteringSets,
    LabeledTexts,
    PairLabels,
    PairScores,
    RerankGroups,
    RetrievalCorpus,
    SplitData,
)
from cmteb.errors import UserError
from cmteb.tasks.spec import TaskSpec

Sizes = dict[str, dict[str, int]]


def split_size(data: SplitData) -> dict[str, int]:
    """The counts of one split (module docstring)."""
    if isinstance(data, PairScores | PairLabels):
        return {"pairs": len(data.sentence1)}
    if isinstance(data, LabeledTexts):
        return {"samples": len(data.text)}
    if isinstance(data, ClusteringSets):
        return {"texts": sum(len(one.sentences) for one in data.sets)}
    if isinstance(data, RetrievalCorpus):
        relevant = sum(1 for judged in data.qrels.values() for s in judged.values() if s != 0)
        return {"queries": len(data.queries), "corpus": len(data.corpus),
                "relevant_qrels": relevant}
    if isinstance(data, RerankGroups):
        return {"queries": len(data.groups),
                "candidates": sum(len(g.positive) + len(g.negative) for g in data.groups),
                "positives": sum(len(g.positive) for g in data.groups)}
    raise TypeError(f"no size for {type(data).__name__}")


def task_sizes(spec: TaskSpec, splits: Mapping[str, SplitData]) -> Sizes:
    """{split: counts} of every loaded split, plus the classification train split."""
    sizes = {name: split_size(data) for name, data in splits.items()}
    trained = next((d for d in splits.values() if isinstance(d, LabeledTexts)), None)
    if trained is not None:
        sizes[spec.train_split] = {"samples": len(trained.train_text)}
    return sizes


def mismatches(spec: TaskSpec, found: Sizes) -> list[str]:
    """'split test: expected 20000 pairs, found 19999' per count that differs."""
    out = []
    for split, counts in found.items():
        expected = spec.expected_size.get(split, {})
        for what, n in counts.items():
            if what in expected and expected[what] != n:
                out.append(f"split {split}: expected {expected[what]} {what}, found {n}")
    return out


def check_sizes(spec: TaskSpec, found: Sizes, origin: str) -> None:
    """UserError naming the task, split, expected and found count when `found` differs from the
    task's expected_size; `origin` says where the data came from."""
    wrong = mismatches(spec, found)
    if wrong:
        more = f" (+{len(wrong) - 1} more)" if len(wrong) > 1 else ""
        raise UserError(f"{spec.name}: {wrong[0]}{more} in {origin}; a wrong revision, config or "
                        "filter, or changed data")


def describe(sizes: Sizes) -> str:
    """'validation: 20000 pairs; test: 20000 pairs' (for one-line reports)."""
    return "; ".join(f"{split}: " + ", ".join(f"{n} {what}" for what, n in counts.items())
                     for split, counts in sizes.items())
