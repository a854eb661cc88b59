"""Load all requested splits of one task: `load_task_data(spec, ...) -> TaskData`.

Source order: `data_dir/<spec.name>/` when that folder exists; else the bundled folder
`spec.dataset.local` (relative to the task YAML's folder) when it exists; else the hub at the
pinned revision (`spec.dataset.path`). Loading is complete validation: the run calls this for
every requested task before any encoding, so a task with malformed or missing data fails before a
model is touched (`cmteb.pipeline.run`). A fault of local data (a missing required split, a malformed
file, no data at all for a local-only task) is a `LocalDataError`; hub faults are `UserError`s; a
missing optional split is skipped with a note.

Expected sizes (`cmteb.data.sizes`): data read from the hub, a folder `cmteb download` wrote from
the task's own dataset revision (`cmteb.data.marker`), and a task's bundled folder must have the
rows the task's `expected_size` gives, else a `UserError` names task, split, expected and found.
Any other local folder may be a subset or a re-split on purpose: its sizes are compared and a
difference is a note (recorded with the results), not an error.
"""

from __future__ import annotations

from pathlib import Path

from cmteb.data.hub import HubSource, HubTask, MissingSplitError
from cmteb.data.local import LocalTaskFolder
from cmteb.data.marker import downloaded_for
from cmteb.data.sizes import check_sizes, mismatches, task_sizes
from cmteb.data.types import DataSource, SplitData, TaskData
from cmteb.errors import LocalDataError, UserError
from cmteb.tasks.spec import TaskSpec


def candidate_folders(spec: TaskSpec, *, yaml_path: Path, data_dir: Path | None) -> list[Path]:
    """Local folders to try, in order: `data_dir/<name>`, then the bundled folder."""
    folders = [data_dir / spec.name] if data_dir is not None else []
    if spec.dataset.local is not None:
        folders.append(yaml_path.parent / spec.dataset.local)
    return folders


def load_task_data(
    spec: TaskSpec,
    *,
    yaml_path: Path,
    required_splits: list[str],
    optional_splits: list[str],
    data_dir: Path | None,
    hub_source: HubSource | None = None,
) -> TaskData:
    """TaskData {split: typed data} for the required splits and the optional ones present.

    `source` records ("local", folder, fingerprint of the files read) or ("hub", dataset path,
    revision). Notes say which optional splits were skipped and why a data_dir was not used.
    `hub_source` replaces the real hub (tests pass in-memory tables).
    """
    folders = candidate_folders(spec, yaml_path=yaml_path, data_dir=data_dir)
    folder = next((f for f in folders if f.is_dir()), None)
    notes: list[str] = []
    if data_dir is not None and folder != data_dir / spec.name:
        notes.append(f"{spec.name}: no folder {data_dir / spec.name}; "
                     f"using {folder or 'the hub'}")
    optional = [s for s in dict.fromkeys(optional_splits) if s not in required_splits]
    required = list(dict.fromkeys(required_splits))
    if folder is not None:
        bundled = spec.dataset.local is not None and folder == yaml_path.parent / spec.dataset.local
        try:
            return _load_local(spec, folder, required, optional, notes, bundled=bundled)
        except LocalDataError:
            raise
        except UserError as exc:
            raise LocalDataError(str(exc)) from exc
    if spec.dataset.path is None:
        looked = ", ".join(str(f) for f in folders) or "nowhere (no --data-dir, no dataset.local)"
        raise LocalDataError(f"{spec.name}: no local data (looked in {looked}) and no hub dataset path")
    return _load_hub(HubTask(spec, hub_source), required, optional, notes)


def _load_local(
    spec: TaskSpec, folder: Path, required: list[str], optional: list[str], notes: list[str],
    *, bundled: bool,
) -> TaskData:
    reader = LocalTaskFolder.for_task(folder, spec)
    for split in required:
        if not reader.has_split(split):
            raise UserError(f"{spec.name}: missing split file {reader.split_path(split)}")
    splits: dict[str, SplitData] = {split: reader.read(split) for split in required}
    for split in optional:
        if reader.has_split(split):
            splits[split] = reader.read(split)
        else:
            notes.append(f"{spec.name}: optional split {split!r} skipped "
                         f"(no file {reader.split_path(split)})")
    found = task_sizes(spec, splits)
    if bundled:
        check_sizes(spec, found, f"the bundled data {folder}")
    elif downloaded_for(folder, spec):
        check_sizes(spec, found, f"{folder} (written by cmteb download; delete the folder and "
                                 "download it again)")
    elif mismatches(spec, found):
        notes.append(f"{spec.name}: local data {folder} differs from the hub dataset's size "
                     f"({'; '.join(mismatches(spec, found))}); sizes of local data are not checked")
    source = DataSource(kind="local", location=str(folder), fingerprint=reader.fingerprint())
    return TaskData(splits=splits, source=source, notes=notes)


def _load_hub(hub: HubTask, required: list[str], optional: list[str], notes: list[str]) -> TaskData:
    splits: dict[str, SplitData] = {split: hub.read(split) for split in required}
    for split in optional:
        try:
            splits[split] = hub.read(split)
        except MissingSplitError as exc:
            notes.append(f"{exc}; optional split skipped")
    check_sizes(hub.spec, task_sizes(hub.spec, splits), f"{hub.path}@{hub.revision[:12]}")
    source = DataSource(kind="hub", location=hub.path, revision=hub.revision)
    return TaskData(splits=splits, source=source, notes=[*notes, *hub.notes])
