"""`cmteb download`: fetch tasks from the hub and write them in the local task-data layout.

Policy per task, each on its own (one task failing does not stop the others):
- a task without a hub dataset (local-only) is reported and left alone;
- `data_dir/<Task>` written before by `cmteb download` from the same dataset revision is skipped;
  any other existing `data_dir/<Task>` is refused (nothing is ever replaced);
- otherwise the task's splits are read from the hub (a missing optional split is skipped with a
  note, a missing required one fails the task), their sizes are checked against the task's
  `expected_size`, and the folder is written as `data_dir/.<Task>.partial-<pid>/` (the data
  files, `SOURCE.md`, and last the marker `cmteb-download.json`), then renamed to `data_dir/<Task>`
  in one step, durably (`cmteb.atomic.rename_durably`): a killed download leaves only a hidden
  partial folder, which no run reads and the next download removes once it is an hour old.
An unreachable hub stops the whole download at the first task (every other task would fail the
same way), with one line naming the tasks not downloaded.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cmteb.atomic import rename_durably
from cmteb.data.hub import MIRROR_VAR, HubSource, HubTask, HubUnreachableError, MissingSplitError
from cmteb.data.local_write import write_atomic, write_task_folder
from cmteb.data.marker import downloaded_for, read_marker, write_marker
from cmteb.data.sizes import check_sizes, describe, task_sizes
from cmteb.data.types import SplitData
from cmteb.errors import UserError
from cmteb.tasks.spec import TaskSpec

STALE_PARTIAL_SECONDS = 3600


@dataclass(frozen=True)
class DownloadItem:
    """One task to download: `required` splits must exist, `optional` ones are taken if present."""

    spec: TaskSpec
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


@dataclass
class DownloadReport:
    """`lines`: one per task (what was written or skipped, with row counts); `notes`: remarks
    (optional splits the dataset lacks); `failures`: one line per task not downloaded."""

    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _source_md(spec: TaskSpec, sizes_line: str) -> list[str]:
    return [
        f"# {spec.name}\n\n",
        f"- Downloaded by `cmteb download` from the Hugging Face dataset `{spec.dataset.path}`\n",
        f"- revision `{spec.dataset.revision}`, subset `{spec.hf_subset}`\n",
        f"- rows: {sizes_line}\n",
        "- Layout: see the cmteb documentation, 'Local data layout'.\n",
    ]


def _remove_stale_partials(data_dir: Path, name: str) -> None:
    cutoff = time.time() - STALE_PARTIAL_SECONDS
    for partial in data_dir.glob(f".{name}.partial-*"):
        try:
            if partial.stat().st_mtime < cutoff:
                shutil.rmtree(partial, ignore_errors=True)
        except OSError:
            continue


def _read_splits(hub: HubTask, item: DownloadItem) -> tuple[dict[str, SplitData], list[str]]:
    data = {split: hub.read(split) for split in dict.fromkeys(item.required)}
    notes = []
    for split in dict.fromkeys(item.optional):
        if split in data:
            continue
        try:
            data[split] = hub.read(split)
        except MissingSplitError as exc:
            notes.append(f"{exc}; optional split skipped")
    return data, notes


def download_task(
    item: DownloadItem, data_dir: Path, source: HubSource | None = None
) -> tuple[str, list[str]]:
    """Download one task (module docstring): (its report line, notes); raises UserError."""
    spec = item.spec
    if spec.dataset.path is None:
        return f"{spec.name}: no hub dataset (local-only task); nothing to download", []
    folder = data_dir / spec.name
    if folder.exists():
        if folder.is_dir() and downloaded_for(folder, spec):
            return (f"{spec.name}: {folder} already holds {spec.dataset.path}@"
                    f"{spec.dataset.revision}; skipped"), []
        record = read_marker(folder) if folder.is_dir() else None
        what = (f"a download of {record['dataset'].get('path')}@{record['dataset'].get('revision')}"
                if record else "not written by cmteb download")
        raise UserError(f"{spec.name}: {folder} exists ({what}); remove it or choose another "
                        "--data-dir")
    hub = HubTask(spec, source)
    data, notes = _read_splits(hub, item)
    sizes = task_sizes(spec, data)
    check_sizes(spec, sizes, f"{hub.path}@{hub.revision[:12]}")
    data_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(data_dir, spec.name)
    partial = data_dir / f".{spec.name}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        write_task_folder(partial, spec.type, data, train_split=spec.train_split)
        write_atomic(partial / "SOURCE.md", _source_md(spec, describe(sizes)))
        write_marker(partial, spec, sizes)
        rename_durably([(partial, folder)])
    except (OSError, UnicodeEncodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise UserError(f"{spec.name}: cannot write {folder}: {reason}") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    done = f"{spec.name}: wrote {folder} from {hub.path}@{hub.revision[:12]} ({describe(sizes)})"
    return done, notes


def download_tasks(
    items: Iterable[DownloadItem], data_dir: Path, *,
    source_for: Callable[[TaskSpec], HubSource] | None = None,
) -> DownloadReport:
    """Download every task (module docstring). `source_for(spec)` replaces the real hub per task
    (tests pass in-memory tables)."""
    report = DownloadReport()
    items = list(items)
    for i, item in enumerate(items):
        source = source_for(item.spec) if source_for is not None else None
        try:
            line, notes = download_task(item, data_dir, source)
        except HubUnreachableError as exc:
            left = ", ".join(it.spec.name for it in items[i:])
            report.failures.append(f"{exc.reason} (not downloaded: {left}); run `cmteb download` "
                                   f"where the hub is reachable (or set HF_ENDPOINT to a mirror, or "
                                   f"{MIRROR_VAR} to a local copy of the repos) and copy the folders")
            break
        except UserError as exc:
            report.failures.append(str(exc))
        else:
            report.lines.append(line)
            report.notes.extend(notes)
    return report
