"""The published headline average beside the recomputed one, with the rule behind any gap.

Published: `published.cmteb_average` of the model's entry in cmteb's registry, the Avg column of
FlagEmbedding's C-MTEB README table. Which tasks that Avg is a mean of was established by
recomputing it from the published result files (embeddings-benchmark/results):
- the bge-*-zh-v1.5 rows: the mean over 35 tasks, benchmark `C-MTEB-35` (the 31 tasks plus
  STS22 zh, AmazonReviews zh, MassiveIntent and MassiveScenario zh-CN);
- every other row (e5, m3e, text2vec, bge v1): the mean over the 31 tasks, benchmark `C-MTEB`.
The README scores pair classification by cosine AP (protocol `cmteb`).

The rule names what differs between the two numbers: the task set (tasks the README counts that
this table does not, and the reverse), tasks this table has no result for, the protocol, and,
when the task sets agree and every task is there, a difference in the per-task scores
themselves (the README's come from other runs than the files read here). When this table holds
every task the README averages, it also gives their mean by the same rounding rule, so the
published number can be checked.
"""

from __future__ import annotations

from collections.abc import Sequence

from cmteb.leaderboard.records import Leaderboard, ModelRow, PublishedAverage
from cmteb.rounding import round2, table_mean
from cmteb.tasks.registry import TaskRegistry

README_35_TASK_ROWS = frozenset({"BAAI/bge-large-zh-v1.5", "BAAI/bge-base-zh-v1.5",
                                 "BAAI/bge-small-zh-v1.5"})
README_PROTOCOL = "cmteb"


def readme_benchmark(model: str) -> str:
    """The benchmark whose task mean the README's Avg of `model` is."""
    return "C-MTEB-35" if model in README_35_TASK_ROWS else "C-MTEB"


def _names(tasks: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(tasks[:limit])
    return shown + (f" and {len(tasks) - limit} more" if len(tasks) > limit else "")


def published_average(row: ModelRow, board: Leaderboard,
                      registry: TaskRegistry) -> PublishedAverage | None:
    """The row's published Avg and why it differs from the recomputed one (None: not published)."""
    from cmteb.models.registry import find_entry
    from cmteb.models.registry import registry as model_registry

    entry = find_entry(row.model)
    if entry is None or entry.published is None or entry.published.cmteb_average is None:
        return None
    value = entry.published.cmteb_average
    basis = readme_benchmark(row.model)
    readme_tasks = list(registry.benchmark(basis).tasks)
    ours = [c.task for c in board.conventions]
    counted_there = [t for t in readme_tasks if t not in ours]
    counted_here = [t for t in ours if t not in readme_tasks]
    recomputed = row.overall.value
    difference = None if recomputed is None else round2(recomputed - value)
    parts = []
    if counted_there or counted_here:
        parts.append(f"the README's Avg is the mean of the {len(readme_tasks)} tasks of {basis}, "
                     f"this table's of {len(ours)}")
        if counted_there:
            parts.append(f"only the README counts {_names(counted_there)}")
        if counted_here:
            parts.append(f"only this table counts {_names(counted_here)}")
    if row.overall.missing:
        n = len(row.overall.missing)
        parts.append(f"{n} of this table's tasks {'has' if n == 1 else 'have'} no result "
                     f"({_names(list(row.overall.missing))}), so there is no recomputed Avg")
    if counted_here and not counted_there and all(row.tasks[t].raw is not None for t in readme_tasks):
        same = table_mean({t: row.tasks[t].raw for t in readme_tasks},
                          {c.task: c.type for c in board.conventions})
        parts.append(f"over the README's {len(readme_tasks)} tasks these scores average "
                     f"{same:.2f} ({round2(same - value):+.2f})")
    if board.protocol != README_PROTOCOL:
        pair = next((c.metric for c in board.conventions if c.type == "PairClassification"), None)
        parts.append(f"the README scores with protocol {README_PROTOCOL} (pair classification "
                     f"cosine_ap), this table with protocol {board.protocol}"
                     + (f" ({pair})" if pair else ""))
    if not parts:
        parts.append("equal: the same tasks and scores as the README" if difference == 0 else
                     "same tasks and protocol: the per-task scores here differ from the ones "
                     "behind the README (other runs)")
    source = model_registry().published_sources.get("flagembedding", "FlagEmbedding README")
    return PublishedAverage(value=value, source=f"FlagEmbedding C-MTEB README ({source})",
                            tasks=f"{basis} ({len(readme_tasks)} tasks)",
                            difference=difference, rule="; ".join(parts))
