"""Typed task specification: what one `tasks/<type>/<Task>.yaml` file may say.

Policy: every model forbids unknown keys, so a typo in a YAML file is an error naming the file,
never a silently ignored setting. Protocol-dependent fields (splits, main score) are given per
protocol (`cmteb`, `mteb`); see `cmteb.protocols`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, StrictBool, StrictInt, model_validator

TaskType = Literal[
    "Retrieval", "Reranking", "STS", "PairClassification", "Classification", "Clustering"
]
TASK_TYPES: tuple[str, ...] = (
    "Retrieval", "Reranking", "STS", "PairClassification", "Classification", "Clustering"
)
ProtocolName = Literal["cmteb", "mteb"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatasetRef(_Strict):
    """Where the data comes from.

    `path`/`revision`: the Hugging Face dataset at a pinned commit (None for a local-only task).
    `subset`: the hf subset evaluated, e.g. `zh` for STS22; None = `default`.
    `fast_loading`: the repo holds every subset in its `default` config with a `lang` column, and
        the subset is the rows whose `lang` equals `subset` (mteb's `fast_loading` tasks); otherwise
        the subset is the hub config of that name.
    `local`: a folder in the local task-data layout, relative to the YAML file (bundled demo data).
    """

    path: str | None = None
    revision: str | None = None
    subset: str | None = None
    fast_loading: StrictBool = False
    local: str | None = None

    @model_validator(mode="after")
    def _has_a_source(self) -> DatasetRef:
        if self.path is None and self.local is None:
            raise ValueError("dataset needs `path` (hub) or `local` (bundled folder)")
        if self.fast_loading and self.subset is None:
            raise ValueError("fast_loading needs the `subset` whose rows are kept")
        return self


class PerProtocol(_Strict):
    """A value that may differ between the two protocols."""

    cmteb: str
    mteb: str


class PerProtocolSplits(_Strict):
    """The evaluation splits of each protocol (non-empty, no split twice)."""

    cmteb: list[str] = Field(min_length=1)
    mteb: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_repeats(self) -> PerProtocolSplits:
        for protocol in ("cmteb", "mteb"):
            splits = getattr(self, protocol)
            if len(set(splits)) != len(splits):
                raise ValueError(f"{protocol}: a split is listed twice: {splits}")
        return self


class STSSettings(_Strict):
    """Gold scores are normalised to [0, 1] with (score - min_score) / (max_score - min_score)."""

    min_score: FiniteFloat = 0
    max_score: FiniteFloat = 5

    @model_validator(mode="after")
    def _ordered(self) -> STSSettings:
        if self.max_score <= self.min_score:
            raise ValueError(f"max_score {self.max_score} must exceed min_score {self.min_score}")
        return self


class ClassificationSettings(_Strict):
    """Logistic regression (`max_iter`) fitted on `samples_per_label` train texts per label,
    repeated `n_experiments` times; the score is the mean over the experiments."""

    samples_per_label: int = Field(default=32, gt=0)
    n_experiments: int = Field(default=10, gt=0)
    train_split: str = "train"
    max_iter: int = Field(default=100, gt=0)
    seed: int = 42


class ClusteringSettings(_Strict):
    """MiniBatchKMeans with k = number of gold labels per set; v-measure averaged over the sets."""

    batch_size: int = Field(default=500, gt=0)
    seed: int = 42


class RetrievalSettings(_Strict):
    """Exact cosine search over the corpus; metrics at every k in `k_values` (top_k = max)."""

    k_values: list[int] = Field(default=[1, 3, 5, 10, 20, 100, 1000], min_length=1)


# What `expected_size` counts per split, by task type (see `cmteb.data.sizes` for each count).
SIZE_KEYS: dict[str, tuple[str, ...]] = {
    "STS": ("pairs",),
    "PairClassification": ("pairs",),
    "Classification": ("samples",),
    "Clustering": ("texts",),
    "Retrieval": ("queries", "corpus", "relevant_qrels"),
    "Reranking": ("queries", "candidates", "positives"),
}


class TaskSpec(_Strict):
    """One task, validated. Shapes and policies are documented on each settings model.

    `expected_size`: `{split: {what: n}}`, the rows the dataset holds per split (keys per type in
    `SIZE_KEYS`; for classification also the train split); checked on load (`cmteb.data.sizes`).
    """

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    type: TaskType
    description: str
    reference: str | None = None
    dataset: DatasetRef
    languages: list[str] = Field(default=["cmn-Hans"], min_length=1)
    category: str | None = None
    prompt: str | dict[str, str] | None = None
    splits: PerProtocolSplits
    main_score: PerProtocol
    version: StrictInt = Field(default=1, ge=1)
    expected_size: dict[str, dict[str, StrictInt]] = {}
    sts: STSSettings | None = None
    classification: ClassificationSettings | None = None
    clustering: ClusteringSettings | None = None
    retrieval: RetrievalSettings | None = None

    @model_validator(mode="after")
    def _settings_match_type(self) -> TaskSpec:
        blocks = {"STS": "sts", "Classification": "classification", "Clustering": "clustering",
                  "Retrieval": "retrieval", "Reranking": "retrieval"}
        own = blocks.get(self.type)
        for block in ("sts", "classification", "clustering", "retrieval"):
            if block != own and getattr(self, block) is not None:
                raise ValueError(f"`{block}` settings do not apply to a {self.type} task")
        defaults = {"sts": STSSettings, "classification": ClassificationSettings,
                    "clustering": ClusteringSettings, "retrieval": RetrievalSettings}
        if own is not None and getattr(self, own) is None:
            object.__setattr__(self, own, defaults[own]())
        self._check_expected_size()
        return self

    def _check_expected_size(self) -> None:
        keys = set(SIZE_KEYS[self.type])
        splits = set(self.all_splits())
        if self.classification is not None:
            splits.add(self.train_split)
        for split, counts in self.expected_size.items():
            if split not in splits:
                raise ValueError(f"expected_size: {split!r} is not a split of this task "
                                 f"({', '.join(sorted(splits))})")
            if set(counts) != keys or any(n < 0 for n in counts.values()):
                raise ValueError(f"expected_size: {split}: give {', '.join(sorted(keys))} "
                                 f"(non-negative integers) for a {self.type} task")

    @property
    def hf_subset(self) -> str:
        """The subset written in results (`default` unless the dataset has language configs)."""
        return self.dataset.subset or "default"

    @property
    def train_split(self) -> str:
        """The split classification fits on (`train` for other types, where it is unused)."""
        return self.classification.train_split if self.classification else "train"

    @property
    def score_range(self) -> tuple[float, float] | None:
        """(min, max) of an STS task's gold scores; None for other types."""
        return (self.sts.min_score, self.sts.max_score) if self.sts else None

    def eval_splits(self, protocol: ProtocolName) -> list[str]:
        return list(getattr(self.splits, protocol))

    def all_splits(self) -> list[str]:
        """Union of the splits either protocol uses, in a stable order (cmteb's first)."""
        out: list[str] = []
        for split in [*self.splits.cmteb, *self.splits.mteb]:
            if split not in out:
                out.append(split)
        return out

    def main_metric(self, protocol: ProtocolName) -> str:
        return getattr(self.main_score, protocol)
