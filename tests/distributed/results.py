"""Reading result folders in the distributed tests."""

from __future__ import annotations

import json
from pathlib import Path


def scores_by_file(folder: Path) -> dict[str, dict]:
    """`{org__model/revision/Task.json: scores}` of every result file under `folder`."""
    return {
        path.relative_to(folder).as_posix(): json.loads(path.read_text(encoding="utf-8"))["scores"]
        for path in sorted(folder.rglob("*.json")) if not path.name.endswith(".samples.json")
    }


def task_scores(model_folder: Path) -> dict[str, dict]:
    """`{Task: scores}` of one model's results (`OUTPUT/org__model`, any revision)."""
    return {rel.rsplit("/", 1)[-1].removesuffix(".json"): scores
            for rel, scores in scores_by_file(model_folder).items()}
