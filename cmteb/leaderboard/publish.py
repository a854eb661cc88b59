"""Write a `Leaderboard` to a folder, all or nothing: leaderboard.md, leaderboard.csv,
leaderboard.json, plots/*.png, model-cards/*.md (when asked) and index.html (which shows the
plots by relative path).

Every output is rendered in memory first, then written into a hidden staging folder beside the
target, and only then moved into it (one rename per file, or one for the whole folder when the
target does not exist yet), durably (`cmteb.atomic`: files and folders fsynced, as every result
file is). A failure while rendering or writing leaves the target as it was; files of an earlier
run with other names are left alone.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from cmteb.atomic import FOLDER_MODE, rename_durably
from cmteb.errors import UserError
from cmteb.leaderboard.export import leaderboard_dict
from cmteb.leaderboard.page import html_text
from cmteb.leaderboard.records import Leaderboard
from cmteb.leaderboard.tables import csv_text, markdown_text
from cmteb.results.io import WriteError, write_bytes_atomic

PLOTS_DIR = "plots"
CARDS_DIR = "model-cards"


def render(board: Leaderboard, *, generated: str, plots: bool = True,
           model_cards: Sequence[str] = ()) -> dict[str, bytes]:
    """Every output as relative path -> bytes, index.html last (nothing is written)."""
    files = {"leaderboard.md": markdown_text(board).encode(),
             "leaderboard.csv": csv_text(board).encode(),
             "leaderboard.json": (json.dumps(leaderboard_dict(board), ensure_ascii=False, indent=2,
                                             allow_nan=False) + "\n").encode()}
    for model in model_cards:
        from cmteb.leaderboard.model_card import card_file_name, model_card_text

        files[f"{CARDS_DIR}/{card_file_name(model)}"] = model_card_text(board, model).encode()
    shown: list[tuple[str, str]] = []
    speed: tuple[str, str] | None = None
    if plots:
        from cmteb.leaderboard.plots import render_plots

        for name, title, png in render_plots(board):
            files[f"{PLOTS_DIR}/{name}"] = png
            if name == "speed.png":
                speed = (f"{PLOTS_DIR}/{name}", title)
            else:
                shown.append((f"{PLOTS_DIR}/{name}", title))
    files["index.html"] = html_text(board, plots=shown, generated=generated,
                                    speed_plot=speed).encode()
    return files


def write_trees(targets: Sequence[tuple[dict[str, bytes], Path]]) -> list[Path]:
    """Write each (relative path -> bytes, folder) target, all or nothing (module doc): every
    target is staged before any is moved into place, so a folder that cannot be written (say a
    read-only --export-results) leaves the others untouched too. Returns the paths written.

    Raises UserError naming the folder when it cannot be written.
    """
    stages: list[Path] = []
    try:
        for files, out in targets:
            stages.append(_stage(files, out))
        for (files, out), stage in zip(targets, stages, strict=True):
            _move_into_place(files, stage, out)
    except WriteError as exc:  # a failure of the tool is exit 2 for the leaderboard (contract)
        raise UserError(str(exc)) from exc
    finally:
        for stage in stages:
            shutil.rmtree(stage, ignore_errors=True)
    return [out / name for files, out in targets for name in files]


def _stage(files: dict[str, bytes], out: Path) -> Path:
    """A hidden folder beside `out` holding `files`."""
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: exists and is not a folder")
    for name in files:
        parts = Path(name).parts
        if Path(name).is_absolute() or ".." in parts:
            raise UserError(f"{out}: refusing to write {name!r} outside the folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".staging", dir=out.parent))
    except OSError as exc:
        raise UserError(f"{out}: cannot write here: {exc.strerror or exc}") from exc
    try:
        for name, data in files.items():
            write_bytes_atomic(stage / name, data)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return stage


def _move_into_place(files: dict[str, bytes], stage: Path, out: Path) -> None:
    try:
        if not out.exists():
            os.chmod(stage, FOLDER_MODE)
            rename_durably([(stage, out)])
        else:
            for name in files:
                (out / name).parent.mkdir(parents=True, exist_ok=True)
            rename_durably([(stage / name, out / name) for name in files])
    except OSError as exc:
        raise UserError(f"{out}: cannot write: {exc.strerror or exc}") from exc


def publish(board: Leaderboard, out: Path, *, generated: str, plots: bool = True,
            model_cards: Sequence[str] = (),
            also: Sequence[tuple[dict[str, bytes], Path]] = ()) -> list[Path]:
    """Render and write every output under `out`, and the `also` targets (relative path -> bytes,
    folder; e.g. the results export) with them, all or nothing; returns the paths written under
    `out` (index.html last)."""
    files = render(board, generated=generated, plots=plots, model_cards=model_cards)
    written = write_trees([(files, out), *also])
    return written[:len(files)]
