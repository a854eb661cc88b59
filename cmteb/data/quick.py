"""Quick mode (`cmteb run --quick`): a deterministic, documented subsample of each task's data.

Policy `quick-v1`, applied to every split independently (a split already within its limits is
kept whole):
- STS, PairClassification: up to 2,000 pairs.
- Classification: up to 2,000 evaluation texts; the train split is kept whole (the classifier
  still fits on `samples_per_label` texts per label drawn from it, as in a full run).
- Clustering: up to 10 sets, each cut to up to 1,000 texts.
- Retrieval: up to 1,000 judged queries, every passage judged for them, plus a fixed slice of the
  other passages up to 10,000 passages in all.
- Reranking: up to 1,000 query groups.

Selection: the first k of `numpy.random.RandomState(QUICK_SEED).permutation(n)` (numpy's legacy
generator, whose stream numpy keeps identical across versions), then put back in the data's own
order. Retrieval draws its queries from the sorted judged query ids and its corpus slice from the
sorted ids of the other passages, so the sample depends on ids, not on file order. The same data
and limits always give the same sample; the runner records the policy in each result
(`cmteb.quick_sample`) and writes quick results to their own revision folder (`results_revision`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from cmteb.data.types import (
    ClusteringSet,
    ClusteringSets,
    LabeledTexts,
    PairLabels,
    PairScores,
    RerankGroups,
    RetrievalCorpus,
    SplitData,
    TaskData,
)

QUICK_POLICY = "quick-v1"
QUICK_SEED = 42
QUICK_FOLDER_SUFFIX = "-quick"


@dataclass(frozen=True)
class QuickLimits:
    """Upper bounds per split (see the module docstring)."""

    pairs: int = 2_000
    eval_texts: int = 2_000
    clustering_sets: int = 10
    texts_per_set: int = 1_000
    queries: int = 1_000
    corpus: int = 10_000
    rerank_groups: int = 1_000


QUICK_LIMITS = QuickLimits()


def quick_record() -> dict[str, Any]:
    """What a quick result records as `cmteb.quick_sample` (part of its decisive settings)."""
    return {"policy": QUICK_POLICY, "seed": QUICK_SEED, "limits": asdict(QUICK_LIMITS)}


def results_revision(revision: str, *, quick: bool) -> str:
    """The revision folder results go to: `<revision>`, or for a quick run `<revision>-quick`
    beside it (quick results never mix with full ones)."""
    return revision + QUICK_FOLDER_SUFFIX if quick else revision


def pick(n: int, k: int) -> list[int]:
    """Indexes of k of n items (all when n <= k), ascending; deterministic (module docstring)."""
    if n <= k:
        return list(range(n))
    return sorted(np.random.RandomState(QUICK_SEED).permutation(n)[:k].tolist())


def quick_subsample(data: TaskData, limits: QuickLimits = QUICK_LIMITS) -> TaskData:
    """The quick version of `data` (a new TaskData; `data` is not modified), with one note per
    split saying what was kept."""
    splits: dict[str, SplitData] = {}
    notes = list(data.notes)
    for name, split in data.splits.items():
        splits[name], kept = _subsample_split(split, limits)
        notes.append(f"quick ({QUICK_POLICY}, seed {QUICK_SEED}): {name}: {kept}")
    return replace(data, splits=splits, notes=notes)


def _subsample_split(split: SplitData, limits: QuickLimits) -> tuple[SplitData, str]:
    """(subsampled split, 'kept k of n <unit>')."""
    if isinstance(split, PairScores | PairLabels):
        values = split.score if isinstance(split, PairScores) else split.label
        idx = pick(len(values), limits.pairs)
        rows = [[column[i] for i in idx] for column in (split.sentence1, split.sentence2, values)]
        return type(split)(*rows), f"{len(idx)} of {len(values)} pairs"
    if isinstance(split, LabeledTexts):
        idx = pick(len(split.text), limits.eval_texts)
        kept = replace(split, text=[split.text[i] for i in idx], label=[split.label[i] for i in idx])
        return kept, f"{len(idx)} of {len(split.text)} evaluation texts (train kept whole)"
    if isinstance(split, ClusteringSets):
        return _clustering(split, limits)
    if isinstance(split, RetrievalCorpus):
        return _retrieval(split, limits)
    if isinstance(split, RerankGroups):
        idx = pick(len(split.groups), limits.rerank_groups)
        return RerankGroups([split.groups[i] for i in idx]), f"{len(idx)} of {len(split.groups)} groups"
    raise TypeError(f"no quick policy for {type(split).__name__}")


def _clustering(split: ClusteringSets, limits: QuickLimits) -> tuple[ClusteringSets, str]:
    sets = []
    for i in pick(len(split.sets), limits.clustering_sets):
        one = split.sets[i]
        idx = pick(len(one.sentences), limits.texts_per_set)
        sets.append(ClusteringSet([one.sentences[j] for j in idx], [one.labels[j] for j in idx]))
    texts = sum(len(s.sentences) for s in sets)
    total = sum(len(s.sentences) for s in split.sets)
    return ClusteringSets(sets), f"{len(sets)} of {len(split.sets)} sets, {texts} of {total} texts"


def _retrieval(split: RetrievalCorpus, limits: QuickLimits) -> tuple[RetrievalCorpus, str]:
    judged = sorted(q for q, rels in split.qrels.items() if rels and q in split.queries)
    chosen = {judged[i] for i in pick(len(judged), limits.queries)}
    qrels = {q: dict(rels) for q, rels in split.qrels.items() if q in chosen}
    must = {d for rels in qrels.values() for d in rels if d in split.corpus}
    others = sorted(d for d in split.corpus if d not in must)
    room = max(limits.corpus - len(must), 0)
    keep = must | {others[i] for i in pick(len(others), room)}
    kept = RetrievalCorpus(
        corpus={d: text for d, text in split.corpus.items() if d in keep},
        queries={q: text for q, text in split.queries.items() if q in chosen},
        qrels=qrels,
    )
    note = (f"{len(chosen)} of {len(judged)} judged queries, {len(kept.corpus)} of "
            f"{len(split.corpus)} passages ({len(must)} judged for them)")
    return kept, note
