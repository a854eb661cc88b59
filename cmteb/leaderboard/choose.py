"""Pick, for each model and task, the result file that scores it under the benchmark's convention.

Policy (contract): a model's results may sit in several revision folders (and several `--results`
folders); each task takes the file that has the split(s) and subset the benchmark needs, newest
`mteb_version` first, then the newest `date`, then the path (so the choice is deterministic).
With `strict`, a file whose reading carries deviations does not count (an older exact file may
then serve); when no file serves, the task is missing and says why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from packaging.version import InvalidVersion, Version

from cmteb.leaderboard.convention import read_score
from cmteb.leaderboard.records import ResultFile, TaskConvention, TaskScore

_OLDEST = Version("0")


def _version(file: ResultFile) -> Version:
    try:
        return Version(file.mteb_version or "0")
    except InvalidVersion:
        return _OLDEST


def newest_first(files: Iterable[ResultFile]) -> list[ResultFile]:
    return sorted(files, key=lambda f: (_version(f), f.date or 0.0, str(f.path)), reverse=True)


def group_by_model(files: Iterable[ResultFile], tasks: set[str]) -> dict[str, dict[str, list[ResultFile]]]:
    """model -> task -> files, keeping only the given tasks (matched case-insensitively)."""
    canonical = {t.lower(): t for t in tasks}
    grouped: dict[str, dict[str, list[ResultFile]]] = defaultdict(lambda: defaultdict(list))
    for file in files:
        task = canonical.get(file.task.lower())
        if task is not None:
            grouped[file.model][task].append(file)
    return {model: dict(by_task) for model, by_task in grouped.items()}


def choose(files: list[ResultFile], conv: TaskConvention, *, strict: bool) -> TaskScore:
    """The task score from the first usable file (see module policy), or a missing score."""
    if not files:
        return TaskScore(conv.task, None, missing="no result file")
    first_problem = None
    for file in newest_first(files):
        reading = read_score(file, conv)
        problem = reading.problem
        if problem is None and strict and reading.deviations:
            problem = "differs from the convention: " + "; ".join(reading.deviations)
        if problem is None:
            return TaskScore(conv.task, value=None, raw=reading.value, source=file,
                             metric=reading.metric, deviations=reading.deviations)
        first_problem = first_problem or f"{problem} ({file.revision}/{file.path.name})"
    return TaskScore(conv.task, None, missing=first_problem)
