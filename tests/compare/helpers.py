"""Result sets for the compare tests: a real hash-model demo run, copied and edited per test."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cmteb.cli import main as cli_main


def demo_results(root: Path, *, quick: bool = False) -> Path:
    """Run the hash model on the demo benchmark into `root`; the revision folder."""
    import cmteb

    cmteb.evaluate("hash", benchmark="demo", output_dir=root, quick=quick)
    return root / "hash" / ("hash-v1-quick" if quick else "hash-v1")


def copy_results(folder: Path, dest: Path) -> Path:
    shutil.copytree(folder, dest)
    return dest


def edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def set_main_score(folder: Path, task: str, metric: str, value: float) -> None:
    """Write `value` as the task's `metric` and main score in every split."""
    def change(doc: dict[str, Any]) -> None:
        for entries in doc["scores"].values():
            for entry in entries:
                entry[metric] = entry["main_score"] = value
    edit_json(folder / f"{task}.json", change)


def cmteb_cli(capsys, *args: str | Path) -> tuple[int, str, str]:
    """`cmteb ARGS` in-process: (exit code, stdout, stderr)."""
    code = cli_main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err
