"""What `cmteb list` prints: one row per task (or per benchmark), as JSON objects or an aligned
text table.

Task row (the `cmteb list --format json` contract): `{"name", "type", "splits": [...],
"main_score", "dataset": {"path", "revision"}, "version", "expected_size": {split: {what: n}}}`,
where `splits` and `main_score` are those of the chosen protocol and `expected_size` covers every
split the task loads (the union of both protocols' splits, and a classification task's train
split; `{}` for a task file that gives none). A local-only task has `path` and `revision` None.
The text table leaves `expected_size` out.
Benchmark row (`cmteb list --benchmarks`): `{"name", "aliases": [...], "protocol",
"description", "tasks": [...]}`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cmteb.columns import Columns, aligned
from cmteb.tasks.registry import BenchmarkSpec
from cmteb.tasks.spec import ProtocolName, TaskSpec

COLUMNS: Columns = (
    ("name", "TASK"), ("type", "TYPE"), ("splits", "SPLITS"), ("main_score", "MAIN SCORE"),
    ("dataset", "DATASET"), ("revision", "REVISION"), ("version", "VERSION"),
)


def task_rows(
    specs: Iterable[TaskSpec], protocol: ProtocolName, benchmark: BenchmarkSpec | None = None
) -> list[dict[str, Any]]:
    """One row per task, in the given order.

    `benchmark`, when given, applies its split narrowing (e.g. ATEC on test only in MTEB(cmn, v1)).
    """
    rows = []
    for spec in specs:
        narrowed = benchmark.splits.get(spec.name) if benchmark is not None else None
        rows.append({
            "name": spec.name,
            "type": spec.type,
            "splits": list(narrowed or spec.eval_splits(protocol)),
            "main_score": spec.main_metric(protocol),
            "dataset": {"path": spec.dataset.path, "revision": spec.dataset.revision},
            "version": spec.version,
            "expected_size": {split: dict(counts) for split, counts in spec.expected_size.items()},
        })
    return rows


def _cells(row: dict[str, Any]) -> dict[str, str]:
    dataset = row["dataset"]
    return {
        "name": row["name"],
        "type": row["type"],
        "splits": ",".join(row["splits"]),
        "main_score": row["main_score"],
        "dataset": dataset["path"] or "(bundled)",
        "revision": (dataset["revision"] or "-")[:12],
        "version": str(row["version"]),
    }


def benchmark_rows(benchmarks: Iterable[BenchmarkSpec]) -> list[dict[str, Any]]:
    """One row per benchmark, in the given order."""
    return [{"name": b.name, "aliases": list(b.aliases), "protocol": b.protocol,
             "description": " ".join(b.description.split()), "tasks": list(b.tasks)}
            for b in benchmarks]


BENCHMARK_COLUMNS: Columns = (
    ("name", "BENCHMARK"), ("tasks", "TASKS"), ("protocol", "PROTOCOL"), ("aliases", "ALIASES"),
    ("description", "DESCRIPTION"),
)


def render_benchmark_table(rows: list[dict[str, Any]]) -> str:
    """Rows of `benchmark_rows` as an aligned text table: task counts, not the task names."""
    cells = [{**r, "tasks": str(len(r["tasks"])), "aliases": ", ".join(r["aliases"]) or "-"}
             for r in rows]
    return aligned(BENCHMARK_COLUMNS, cells)


def render_table(rows: list[dict[str, Any]]) -> str:
    """Rows of `task_rows` as a left-aligned text table with a header line (revisions cut to 12)."""
    return aligned(COLUMNS, [_cells(r) for r in rows])

