"""`build_leaderboard`: result folders + benchmark name -> `Leaderboard` (no file is written).

Steps: read every result file (`discover`), group them by model, score each benchmark task with
the chosen file (`choose`, `convention`), round and average (`aggregate`), add the 95% intervals
from the per-sample files (`intervals`), the model facts (`facts`), rank the rows (`rank`), then
put the published averages beside them (`published`) and collect the cost view (`speed`). A model
with no file for any of the benchmark's tasks gets no row (it is listed in `Leaderboard.ignored`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from cmteb.errors import UserError
from cmteb.leaderboard.aggregate import build_row, type_map, types_of
from cmteb.leaderboard.choose import choose, group_by_model
from cmteb.leaderboard.convention import conventions, file_protocol
from cmteb.leaderboard.discover import read_results
from cmteb.leaderboard.facts import model_facts
from cmteb.leaderboard.intervals import RESAMPLES, bootstrap_task, with_intervals
from cmteb.leaderboard.published import published_average
from cmteb.leaderboard.rank import rank_rows, ranking_of
from cmteb.leaderboard.records import Leaderboard, ModelRow, ResultFile, TaskConvention
from cmteb.leaderboard.speed import speed_rows
from cmteb.tasks.registry import TaskRegistry


def _row(model: str, by_task: dict[str, list[ResultFile]], convs: Sequence[TaskConvention],
         types: dict[str, tuple[str, ...]], strict: bool, resamples: int, seed: int) -> ModelRow:
    scores = {c.task: choose(by_task.get(c.task, []), c, strict=strict) for c in convs}
    used = [s.source for s in scores.values() if s.source is not None]
    dates = [f.date for f in used if f.date is not None]
    row = build_row(
        model, scores, types,
        folders=tuple(sorted({f.revision for f in used})),
        producers=tuple(sorted({f.producer for f in used})),
        protocols=tuple(sorted({file_protocol(f) or "unknown" for f in used})),
        date=max(dates) if dates else None,
    )
    boots = {} if not resamples else {
        c.task: bootstrap_task(row.tasks[c.task], c, model=model, resamples=resamples, seed=seed)
        for c in convs if row.tasks[c.task].raw is not None}
    row = with_intervals(row, boots)
    return replace(row, ranking=ranking_of(row, boots, type_map(types)),
                   facts=model_facts(model, used))


def build_leaderboard(results: Sequence[Path], benchmark: str, *, strict: bool = False,
                      resamples: int = RESAMPLES, seed: int = 0) -> Leaderboard:
    """The leaderboard of every model found under `results` on `benchmark` (see module doc).
    `resamples`: bootstrap resamples per interval (0: no intervals); `seed`: their seed."""
    registry = TaskRegistry()
    bench = registry.benchmark(benchmark)
    convs = conventions(bench, registry)
    types = types_of(convs)
    files = read_results(results)
    if not files:
        raise UserError(f"no task result files under {', '.join(map(str, results))}")
    grouped = group_by_model(files, {c.task for c in convs})
    if not grouped:
        raise UserError(f"none of the {len(files)} result files under "
                        f"{', '.join(map(str, results))} is a task of benchmark {bench.name}")
    others = sorted({f.model for f in files} - set(grouped))
    rows = rank_rows([_row(model, by_task, convs, types, strict, resamples, seed)
                      for model, by_task in grouped.items()])
    board = Leaderboard(
        benchmark=bench.name, description=bench.description.strip(), protocol=bench.protocol,
        strict=strict, conventions=tuple(convs), types=types, rows=tuple(rows),
        ignored=tuple(f"{m}: no result for any task of {bench.name}" for m in others),
        resamples=resamples, seed=seed,
    )
    rows = [replace(r, published=published_average(r, board, registry)) for r in rows]
    return replace(board, rows=tuple(rows), speed=speed_rows(rows))
