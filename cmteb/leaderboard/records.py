"""The records the leaderboard passes between its modules (all frozen).

Scores read from files stay on the file's 0-1 scale; everything the aggregator produces is in
points (0-100). All are Python floats: the published tables were computed with float arithmetic,
and reproducing them to the last digit needs the same (see `aggregate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# split -> hf_subset -> metric key -> value (0-1, as stored; NaN kept as NaN)
ScoreTable = dict[str, dict[str, dict[str, float]]]
# split -> hf_subset -> protocol -> metric key -> value (cmteb's `protocol_variants`)
VariantTable = dict[str, dict[str, dict[str, dict[str, float]]]]


@dataclass(frozen=True)
class ResultFile:
    """One task result file of any generation, normalised.

    `task` is the current task name (old names such as `CMedQAv1` already mapped); `model` is
    `org/model`; `folder` is the revision folder the file sits in (its name is `revision`).
    `cmteb` is the provenance block of results written by cmteb, None for other producers.
    """

    path: Path
    task: str
    model: str
    revision: str
    mteb_version: str | None
    date: float | None
    dataset_revision: str | None
    scores: ScoreTable
    variants: VariantTable = field(default_factory=dict)
    cmteb: dict[str, Any] | None = None
    evaluation_time: float | None = None  # seconds, as the file records it

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def producer(self) -> str:
        """`cmteb <version>` or `mteb <version>`: what wrote the file."""
        if self.cmteb is not None:
            return f"cmteb {self.cmteb.get('cmteb_version', '?')}"
        return f"mteb {self.mteb_version or '?'}"


@dataclass(frozen=True)
class TaskConvention:
    """How one benchmark scores one task: splits (score = mean over them), subset, metric key."""

    task: str
    type: str
    protocol: str
    splits: tuple[str, ...]
    subset: str
    metric: str
    version: int
    dataset_path: str | None
    dataset_revision: str | None

    @property
    def label(self) -> str:
        """Column label: the task name, plus the subset when it is not `default` (`STS22 (zh)`)."""
        return self.task if self.subset == "default" else f"{self.task} ({self.subset})"


@dataclass(frozen=True)
class Interval:
    """A 95% bootstrap confidence interval in points (unrounded), from `resamples` resamples."""

    low: float
    high: float
    resamples: int


@dataclass(frozen=True)
class TaskScore:
    """One model's score on one task, or why it is missing.

    `raw`: points before rounding (set by `choose`); `value`: `raw` rounded to 2 dp (set by
    `aggregate.rounded`); both None when missing, and then `missing` says why.
    `deviations`: how the source differs from (or cannot be checked against) the convention.
    `interval`: from the per-sample file beside the source (`intervals`), else None and
    `no_interval` says why.
    """

    task: str
    value: float | None
    raw: float | None = None
    source: ResultFile | None = None
    metric: str | None = None
    deviations: tuple[str, ...] = ()
    missing: str | None = None
    interval: Interval | None = None
    no_interval: str | None = None


@dataclass(frozen=True)
class Average:
    """A category or overall mean: None when any member task is missing (never partial).
    `interval`: only when every member task has one."""

    value: float | None
    tasks: tuple[str, ...]
    missing: tuple[str, ...]
    marked: tuple[str, ...]  # member tasks whose score carries deviations
    interval: Interval | None = None


@dataclass(frozen=True)
class Ranking:
    """Where a row ranks (see `rank` for the rules).

    `mean`: the mean the rank is based on, over the `tasks` of the benchmark's `of` tasks the
    model has (the overall Avg when it has all); `rank`: by that mean, rows whose 95% intervals
    overlap sharing a rank; `borda`: the MTEB leaderboard's Borda-count rank.
    """

    mean: float | None
    tasks: int
    of: int
    interval: Interval | None
    rank: int | None = None
    borda: int | None = None
    borda_points: float = 0.0

    @property
    def partial(self) -> bool:
        return self.tasks < self.of


@dataclass(frozen=True)
class Fact:
    """One model fact and where it comes from (`registry`, `mteb ModelMeta`, ...)."""

    value: int | float | str
    source: str


@dataclass(frozen=True)
class ModelFacts:
    """What MTEB shows about a model; None where no source knows it (`facts`)."""

    parameters: Fact | None = None
    embed_dim: Fact | None = None
    max_tokens: Fact | None = None
    memory_fp32_mb: Fact | None = None
    memory_bf16_mb: Fact | None = None
    link: Fact | None = None
    access: Fact | None = None  # "open weights" | "API"


@dataclass(frozen=True)
class PublishedAverage:
    """A model's published headline average beside the recomputed one (`published`).

    `tasks`: the benchmark whose task mean the published number is; `difference`: recomputed
    Avg - published (None when this table has no Avg for the row); `rule`: why they differ.
    """

    value: float
    source: str
    tasks: str
    difference: float | None
    rule: str


@dataclass(frozen=True)
class ModelRow:
    model: str
    tasks: dict[str, TaskScore]
    types: dict[str, Average]
    overall: Average
    folders: tuple[str, ...]
    producers: tuple[str, ...]
    protocols: tuple[str, ...]
    date: float | None
    ranking: Ranking | None = None
    facts: ModelFacts = ModelFacts()
    published: PublishedAverage | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        return self.overall.missing

    @property
    def parameters(self) -> int | None:
        fact = self.facts.parameters
        return int(fact.value) if fact is not None else None


@dataclass(frozen=True)
class SpeedRow:
    """Recorded cost of one model's tasks run on one kind of hardware with one dtype.

    `texts`/`encode_s`: texts the model encoded (cache hits excluded) and the seconds spent
    encoding them; `eval_s`: the tasks' whole evaluation time; `score`: the row's ranking mean.
    """

    model: str
    hardware: str
    dtype: str
    tasks: int
    texts: int
    encode_s: float
    eval_s: float
    score: float | None

    @property
    def texts_per_s(self) -> float | None:
        return self.texts / self.encode_s if self.encode_s > 0 and self.texts else None

    @property
    def s_per_task(self) -> float:
        return self.eval_s / self.tasks


@dataclass(frozen=True)
class Leaderboard:
    benchmark: str
    description: str
    protocol: str
    strict: bool
    conventions: tuple[TaskConvention, ...]
    types: dict[str, tuple[str, ...]]  # task type -> its tasks, in table order
    rows: tuple[ModelRow, ...]
    ignored: tuple[str, ...] = ()  # one line per result set left out (why)
    speed: tuple[SpeedRow, ...] = ()
    resamples: int = 0  # bootstrap resamples per interval (0: no intervals)
    seed: int = 0
