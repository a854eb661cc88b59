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
class TaskScore:
    """One model's score on one task, or why it is missing.

    `raw`: points before rounding (set by `choose`); `value`: `raw` rounded to 2 dp (set by
    `aggregate.rounded`); both None when missing, and then `missing` says why.
    `deviations`: how the source differs from (or cannot be checked against) the convention.
    """

    task: str
    value: float | None
    raw: float | None = None
    source: ResultFile | None = None
    metric: str | None = None
    deviations: tuple[str, ...] = ()
    missing: str | None = None


@dataclass(frozen=True)
class Average:
    """A category or overall mean: None when any member task is missing (never partial)."""

    value: float | None
    tasks: tuple[str, ...]
    missing: tuple[str, ...]
    marked: tuple[str, ...]  # member tasks whose score carries deviations


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
    n_parameters: int | None

    @property
    def missing(self) -> tuple[str, ...]:
        return self.overall.missing


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
