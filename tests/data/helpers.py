"""Helpers for the data-loading tests: tiny files, task specs, an in-memory hub."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cmteb.errors import UserError
from cmteb.tasks.spec import TaskSpec

SHARED_DATA = Path(__file__).parents[2].parent / "shared" / "data"


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def make_spec(task_type: str, name: str = "Toy", *, path: str | None = "org/toy",
              revision: str | None = "abc123", subset: str | None = None,
              local: str | None = None, splits: tuple[str, ...] = ("test",)) -> TaskSpec:
    return TaskSpec(
        name=name, type=task_type, description="toy task",
        dataset={"path": path, "revision": revision, "subset": subset, "local": local},
        splits={"cmteb": list(splits), "mteb": list(splits)},
        main_score={"cmteb": "x", "mteb": "x"},
    )


class FakeHub:
    """`HubSource` over {config: {split: table}}; unknown splits raise like `datasets` does."""

    def __init__(self, tables: dict[str | None, dict[str, Any]]) -> None:
        self.tables = tables
        self.loads: list[tuple[str | None, str | None]] = []

    def configs(self) -> list[str]:
        return [c or "default" for c in self.tables]

    def load(self, config: str | None, split: str | None) -> Any:
        from cmteb.data.hub import MissingSplitError

        self.loads.append((config, split))
        by_split = self.tables[None if config == "default" else config]
        if split is None:
            return by_split
        if split not in by_split:
            raise MissingSplitError(f"fake hub: no split {split!r}")
        return by_split[split]


def raises_user_error(func: Any, *args: Any, **kwargs: Any) -> str:
    """Call and return the UserError's message (failing when anything else happens)."""
    with pytest.raises(UserError) as info:
        func(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message, "errors are one line"
    return message
