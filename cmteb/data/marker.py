"""The download marker: `cmteb-download.json` in a task folder written by `cmteb download`.

It records the hub dataset (path, revision, subset) the folder was written from and the rows per
split. The loader checks the sizes of a folder whose marker names the task's own dataset, as it
checks data read from the hub; the marker is not part of the data fingerprint. Written last, in
the temporary folder that is renamed into place, so a folder with a marker is complete.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cmteb.data.local_write import write_atomic
from cmteb.data.sizes import Sizes
from cmteb.errors import UserError
from cmteb.tasks.spec import TaskSpec

MARKER = "cmteb-download.json"


def dataset_of(spec: TaskSpec) -> dict[str, str | None]:
    return {"path": spec.dataset.path, "revision": spec.dataset.revision,
            "subset": spec.dataset.subset}


def write_marker(folder: Path, spec: TaskSpec, sizes: Sizes) -> None:
    record = {"task": spec.name, "dataset": dataset_of(spec), "expected_size": sizes}
    write_atomic(folder / MARKER, [json.dumps(record, ensure_ascii=False, indent=2) + "\n"])


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker's content; None when the folder has none; a UserError when it is unreadable."""
    path = folder / MARKER
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{path}: unreadable download marker ({exc}); delete it or the folder")\
            from None
    if not isinstance(record, dict) or not isinstance(record.get("dataset"), dict):
        raise UserError(f"{path}: not a cmteb download marker; delete it or the folder")
    return record


def downloaded_for(folder: Path, spec: TaskSpec) -> bool:
    """True when `folder` was written by `cmteb download` from `spec`'s own dataset revision."""
    record = read_marker(folder)
    return record is not None and record["dataset"] == dataset_of(spec)
