"""95% bootstrap confidence intervals from the per-sample files beside the results.

A task score's interval: resample the task's samples (pairs, queries, texts, clustering sets)
with replacement, each split on its own, recompute the main score with the same statistic
`cmteb compare` uses (`cmteb.compare.recipes` / `cmteb.compare.metrics`: Spearman over the pairs,
AP or best accuracy over the pairs, the mean over samples where the score is a mean), and take
the 2.5th and 97.5th percentiles of the resampled scores (percentile bootstrap). Seeded: the
generator of a (model, task) is seeded from `seed` and the names, so adding a model or a task
changes no other interval.

An average's interval uses the same resamples: resample b of the mean is the mean of its tasks'
resample b (tasks are independent data sets), so it exists only when every member task has one.

The resamples of a task are cached under the user cache folder (`intervals/`, beside the
embedding cache; `$CMTEB_CACHE_DIR` moves both), keyed by the per-sample file's content, the
statistic, the splits, the names, the resample count and the seed: a leaderboard rebuilt after
adding a model recomputes only the new model's intervals (an STS task of 20,000 pairs takes
seconds for 1,000 resamples).

A task has no interval (and says why) when the source is not a cmteb result with a
`{Task}.samples.json`, the samples lack a split of the convention or the columns the statistic
needs, they were scored under the other protocol's procedure, or they do not reproduce the
stored score (to 0.01 points, as `cmteb compare` checks).
"""

from __future__ import annotations

import hashlib
import io
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from cmteb.compare.core import CONSISTENCY
from cmteb.compare.paired import PairedSamples, Recipe, task_score
from cmteb.compare.recipes import recipe_for
from cmteb.compare.resultset import check_samples
from cmteb.compare.samples import column_problem, shared_keys
from cmteb.errors import CmtebError, UserError
from cmteb.leaderboard.convention import file_protocol
from cmteb.leaderboard.records import Average, Interval, ModelRow, TaskConvention, TaskScore
from cmteb.models.embed_store import default_cache_dir
from cmteb.results.io import read_json, write_bytes_atomic
from cmteb.results.task_result import samples_path

LEVEL = 0.95
RESAMPLES = 1_000
BATCH_ELEMENTS = 4_000_000  # resampled floats held at once for the mean statistics
MIN_FINITE = 0.99  # share of resamples with a defined score (tiny STS resamples can tie)
CACHE_FORMAT = 1  # bump when the resampling changes


@dataclass(frozen=True)
class Bootstrap:
    """A task's resampled scores in points, shape (resamples,), or why there are none. A
    resample on which the score is undefined (e.g. Spearman of tied values) holds NaN."""

    replicates: np.ndarray | None
    reason: str | None = None

    def interval(self) -> Interval | None:
        return None if self.replicates is None else percentile_interval(self.replicates)


def percentile_interval(replicates: np.ndarray) -> Interval:
    """The percentile interval of the defined resamples."""
    finite = replicates[np.isfinite(replicates)]
    low, high = np.percentile(finite, [50 * (1 - LEVEL), 50 * (1 + LEVEL)])
    return Interval(float(low), float(high), len(finite))


def generator(seed: int, model: str, task: str) -> np.random.Generator:
    """The seeded generator of one (model, task) (stable across runs and Python versions)."""
    return np.random.default_rng([seed, zlib.crc32(f"{model}\0{task}".encode())])


def _samples_for(score: TaskScore, conv: TaskConvention) -> tuple[PairedSamples, Recipe] | str:
    """The columns the statistic reads, as one side of `PairedSamples`, or why there are none."""
    file = score.source
    if file is None or score.metric is None:
        return "no score"
    path = samples_path(file.path)
    if not path.is_file():
        return "no per-sample file"
    # the result's splits, each value a finite number (query ids: distinct strings), or UserError
    samples = check_samples(read_json(path), str(path), set(file.scores))
    if file_protocol(file) != conv.protocol and any(
            file.variants.get(split, {}).get(conv.subset, {}).get(conv.protocol)
            for split in conv.splits):
        return f"per-sample scores are protocol {file_protocol(file)}'s, not {conv.protocol}'s"
    if any(split not in samples for split in conv.splits):
        return f"per-sample file lacks split(s) {', '.join(s for s in conv.splits if s not in samples)}"
    recipe = recipe_for(conv.type, score.metric, shared_keys(samples, samples, conv.splits))
    if recipe is None:
        return f"no per-sample statistic for {conv.type} {score.metric}"
    problem = column_problem(samples, conv.splits, recipe)  # check_samples left the lengths
    if problem:
        raise UserError(f"{path}: {problem}")
    columns, fixed, segments, start = [], [], [], 0
    for split in conv.splits:
        keys = [*recipe.keys, *([recipe.fixed] if recipe.fixed else [])]
        table = np.column_stack([np.asarray(samples[split][key], dtype=np.float64) for key in keys])
        columns.append(table[:, :len(recipe.keys)])
        if recipe.fixed:
            fixed.append(table[:, -1])
        segments.append((start, start + len(table)))
        start += len(table)
    values = np.concatenate(columns)
    return PairedSamples(values, values, np.concatenate(fixed) if fixed else None,
                         tuple(segments)), recipe


def _resample_indices(rng: np.random.Generator, segments: Sequence[tuple[int, int]],
                      count: int) -> np.ndarray:
    """(count, n) row indices: each split resampled with replacement within itself."""
    return np.concatenate([rng.integers(start, stop, size=(count, stop - start))
                           for start, stop in segments], axis=1)


def _replicates(samples: PairedSamples, recipe: Recipe, rng: np.random.Generator,
                resamples: int) -> np.ndarray:
    """(resamples,) scores (0-1) of resampled data, by the task's own statistic. BLAS runs on
    one thread: the statistics' small products are 3x slower with a thread pool (measured on
    2 busy cores: 20,000 STS pairs, 41 ms against 14 ms per resample). threadpoolctl comes
    with scikit-learn."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _resampled_scores(samples, recipe, rng, resamples)


def _resampled_scores(samples: PairedSamples, recipe: Recipe, rng: np.random.Generator,
                      resamples: int) -> np.ndarray:
    n, width = samples.base.shape
    if samples.fixed is None:  # mean statistics: many resamples at once
        out = []
        batch = max(1, BATCH_ELEMENTS // (n * width))
        for done in range(0, resamples, batch):
            idx = _resample_indices(rng, samples.segments, min(batch, resamples - done))
            out.append(task_score(samples.base[idx], samples, recipe))
        return np.concatenate(out)
    out = np.empty(resamples)
    for b in range(resamples):  # the fixed column (gold, labels) is resampled too
        idx = _resample_indices(rng, samples.segments, 1)[0]
        drawn = PairedSamples(samples.base[idx], samples.base[idx], samples.fixed[idx],
                              samples.segments)
        out[b] = task_score(drawn.base[None], drawn, recipe)[0]
    return out


def bootstrap_task(score: TaskScore, conv: TaskConvention, *, model: str, resamples: int,
                   seed: int) -> Bootstrap:
    """The resampled scores of one task score (module docstring), in points."""
    found = _samples_for(score, conv)
    if isinstance(found, str):
        return Bootstrap(None, found)
    samples, recipe = found
    observed = float(task_score(samples.base[None], samples, recipe)[0])
    if score.raw is None or abs(observed * 100 - score.raw) > CONSISTENCY * 100:
        return Bootstrap(None, f"per-sample scores give {observed * 100:.4f}, the result "
                               f"{score.raw:.4f}: they do not belong together")
    cache = _cache_file(samples_path(score.source.path),  # type: ignore[union-attr]
                        [CACHE_FORMAT, conv.type, score.metric, conv.splits, model, conv.task,
                         resamples, seed])
    replicates = _load(cache)
    if replicates is None or len(replicates) != resamples:
        replicates = _replicates(samples, recipe, generator(seed, model, conv.task), resamples) * 100
        _save(cache, replicates)
    if np.isfinite(replicates).sum() < MIN_FINITE * resamples:
        return Bootstrap(None, "the score is undefined on too many resamples (too few samples)")
    return Bootstrap(replicates)


def _cache_file(samples: Path, identity: list) -> Path:
    digest = hashlib.sha256(samples.read_bytes())
    digest.update(json.dumps(identity).encode())
    return default_cache_dir() / "intervals" / f"{digest.hexdigest()}.npy"


def _load(path: Path) -> np.ndarray | None:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None


def _save(path: Path, replicates: np.ndarray) -> None:
    """Cache the resamples; a cache that cannot be written only costs time next run."""
    buffer = io.BytesIO()
    np.save(buffer, replicates, allow_pickle=False)
    try:
        write_bytes_atomic(path, buffer.getvalue())
    except CmtebError:
        pass


def mean_interval(boots: Sequence[Bootstrap | None]) -> Interval | None:
    """The interval of the mean of tasks from their aligned resamples (None if any lacks them;
    a resample undefined for any task is left out)."""
    if not boots or any(b is None or b.replicates is None for b in boots):
        return None
    return percentile_interval(np.mean([b.replicates for b in boots], axis=0))  # type: ignore[union-attr]


def with_intervals(row: ModelRow, boots: Mapping[str, Bootstrap]) -> ModelRow:
    """The row with the interval (or the reason for none) of every task and average."""
    tasks = {t: replace(s, interval=boots[t].interval(), no_interval=boots[t].reason)
             if t in boots else s for t, s in row.tasks.items()}

    def average(avg: Average) -> Average:
        members = [] if avg.missing else [boots.get(t) for t in avg.tasks]
        return replace(avg, interval=mean_interval(members))

    return replace(row, tasks=tasks, types={t: average(a) for t, a in row.types.items()},
                   overall=average(row.overall))
