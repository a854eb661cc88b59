"""`build_leaderboard`: result folders + benchmark name -> `Leaderboard` (no file is written).

Steps: read every result file (`discover`), group them by model, score each benchmark task with
the chosen file (`choose`, `convention`), then round and average (`aggregate`). A model with no
file for any of the benchmark's tasks gets no row (it is listed in `Leaderboard.ignored`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cmteb.errors import UserError
from cmteb.leaderboard.aggregate import build_row, sort_rows, types_of
from cmteb.leaderboard.choose import choose, group_by_model
from cmteb.leaderboard.convention import conventions, file_protocol
from cmteb.leaderboard.discover import read_results
from cmteb.leaderboard.records import Leaderboard, ModelRow, ResultFile, TaskConvention
from cmteb.leaderboard.sizes import parameters
from cmteb.tasks.registry import TaskRegistry


def _row(model: str, by_task: dict[str, list[ResultFile]], convs: Sequence[TaskConvention],
         types: dict[str, tuple[str, ...]], strict: bool) -> ModelRow:
    scores = {c.task: choose(by_task.get(c.task, []), c, strict=strict) for c in convs}
    used = [s.source for s in scores.values() if s.source is not None]
    folders = sorted({f.folder for f in used}, key=str)
    dates = [f.date for f in used if f.date is not None]
    return build_row(
        model, scores, types,
        folders=tuple(sorted({f.revision for f in used})),
        producers=tuple(sorted({f.producer for f in used})),
        protocols=tuple(sorted({file_protocol(f) or "unknown" for f in used})),
        date=max(dates) if dates else None,
        n_parameters=parameters(model, folders),
    )


def build_leaderboard(results: Sequence[Path], benchmark: str, *, strict: bool = False,
                      registry: TaskRegistry | None = None) -> Leaderboard:
    """The leaderboard of every model found under `results` on `benchmark` (see module doc)."""
    registry = registry or TaskRegistry()
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
    rows = [_row(model, by_task, convs, types, strict) for model, by_task in grouped.items()]
    return Leaderboard(
        benchmark=bench.name, description=bench.description.strip(), protocol=bench.protocol,
        strict=strict, conventions=tuple(convs), types=types, rows=tuple(sort_rows(rows)),
        ignored=tuple(f"{m}: no result for any task of {bench.name}" for m in others),
    )
