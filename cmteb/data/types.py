"""Typed task data, one dataclass per task type, for one split.

Texts are plain `str`; labels and scores are plain Python lists (row i of every list belongs
together). Loaders (`cmteb.data.local`, `cmteb.data.hub`) validate before they return, so
evaluators can trust lengths and types.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PairScores:
    """STS: `score[i]` is the gold similarity of (sentence1[i], sentence2[i]), task scale."""

    sentence1: list[str]
    sentence2: list[str]
    score: list[float]


@dataclass(frozen=True)
class PairLabels:
    """PairClassification: `label[i]` is 1 for a positive pair, 0 otherwise."""

    sentence1: list[str]
    sentence2: list[str]
    label: list[int]


@dataclass(frozen=True)
class LabeledTexts:
    """Classification: evaluation texts with labels plus the train split they are fitted on."""

    text: list[str]
    label: list[int]
    train_text: list[str]
    train_label: list[int]


@dataclass(frozen=True)
class ClusteringSet:
    sentences: list[str]
    labels: list[str]


@dataclass(frozen=True)
class ClusteringSets:
    """Clustering: independent sets; the task score is the mean v-measure over them."""

    sets: list[ClusteringSet]


@dataclass(frozen=True)
class RetrievalCorpus:
    """Retrieval (BEIR layout). `corpus[id]` is the passage text (title and text joined by a
    space when a title exists); `qrels[qid][doc_id]` is a graded relevance (> 0 relevant)."""

    corpus: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


@dataclass(frozen=True)
class RerankGroup:
    query: str
    positive: list[str]
    negative: list[str]


@dataclass(frozen=True)
class RerankGroups:
    """Reranking: each query's candidate list is its positives followed by its negatives."""

    groups: list[RerankGroup]


SplitData = PairScores | PairLabels | LabeledTexts | ClusteringSets | RetrievalCorpus | RerankGroups


@dataclass(frozen=True)
class DataSource:
    """Provenance of loaded data: a hub revision or a local content fingerprint."""

    kind: str  # "hub" | "local"
    location: str  # dataset path or folder
    revision: str | None = None  # hub commit
    fingerprint: str | None = None  # sha256 over the local files read, "sha256:<hex>"


@dataclass(frozen=True)
class TaskData:
    """All splits loaded for one task, with where they came from."""

    splits: dict[str, SplitData]
    source: DataSource
    notes: list[str] = field(default_factory=list)
