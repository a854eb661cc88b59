"""`cmteb download`: fetch tasks from the hub and write them in the local task-data layout.

Policy: each task goes to `data_dir/<name>/` (files written atomically, see `local_write`), plus a
`SOURCE.md` naming the dataset path, revision and subset (not read back, so it does not enter the
fingerprint). Splits the dataset lacks are skipped with a note; a task with none of its splits,
or any hub error, is a `UserError`. Tasks without a hub dataset are reported and left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from cmteb.data.hub import HubSource, HubTask, MissingSplitError
from cmteb.data.loader import train_split_of
from cmteb.data.local_write import write_atomic, write_task_folder
from cmteb.data.types import SplitData
from cmteb.errors import UserError
from cmteb.tasks.spec import TaskSpec


def _source_md(spec: TaskSpec, splits: list[str]) -> list[str]:
    return [
        f"# {spec.name}\n\n",
        f"- Downloaded by `cmteb download` from the Hugging Face dataset `{spec.dataset.path}`\n",
        f"- revision `{spec.dataset.revision}`, subset `{spec.hf_subset}`\n",
        f"- splits: {', '.join(splits)}\n",
        "- Layout: see the cmteb documentation, 'Local data layout'.\n",
    ]


def download_task(
    spec: TaskSpec, data_dir: Path, splits: list[str], source: HubSource | None = None
) -> list[str]:
    """Fetch `splits` of one task and write `data_dir/<name>/`; returns one-line report lines."""
    if spec.dataset.path is None:
        return [f"{spec.name}: no hub dataset (local-only task); nothing to download"]
    hub = HubTask(spec, source)
    data: dict[str, SplitData] = {}
    notes: list[str] = []
    for split in dict.fromkeys(splits):
        try:
            data[split] = hub.read(split)
        except MissingSplitError as exc:
            notes.append(f"{exc}; skipped")
    if not data:
        raise UserError(f"{spec.name}: {spec.dataset.path} has none of the splits {splits}")
    folder = data_dir / spec.name
    write_task_folder(folder, spec.type, data, train_split=train_split_of(spec))
    write_atomic(folder / "SOURCE.md", _source_md(spec, list(data)))
    done = f"{spec.name}: wrote {folder} ({', '.join(data)}) from {hub.path}@{hub.revision}"
    return [done, *notes, *hub.notes]


def download_tasks(
    specs: Iterable[TaskSpec],
    data_dir: Path,
    splits_for: Callable[[TaskSpec], list[str]],
    *,
    source_for: Callable[[TaskSpec], HubSource] | None = None,
) -> list[str]:
    """Download every task (`splits_for(spec)` names its splits); returns the report lines.

    `source_for` replaces the real hub per task (tests pass in-memory tables).
    """
    report: list[str] = []
    for spec in specs:
        source = source_for(spec) if source_for is not None else None
        report.extend(download_task(spec, data_dir, splits_for(spec), source))
    return report
