"""Write a `Leaderboard` to a folder: leaderboard.md, leaderboard.csv, leaderboard.json,
plots/*.png and index.html (which shows the plots by relative path). Every file is written
atomically; files of an earlier run with other names are left alone."""

from __future__ import annotations

from pathlib import Path

from cmteb.leaderboard.export import leaderboard_dict
from cmteb.leaderboard.page import html_text
from cmteb.leaderboard.records import Leaderboard
from cmteb.leaderboard.tables import csv_text, markdown_text
from cmteb.results.io import write_bytes_atomic, write_json_atomic, write_text_atomic

PLOTS_DIR = "plots"


def publish(board: Leaderboard, out: Path, *, generated: str, plots: bool = True) -> list[Path]:
    """Write every output under `out`; returns the paths written (index.html last)."""
    written = []
    for name, text in (("leaderboard.md", markdown_text(board)), ("leaderboard.csv", csv_text(board))):
        write_text_atomic(out / name, text)
        written.append(out / name)
    write_json_atomic(out / "leaderboard.json", leaderboard_dict(board))
    written.append(out / "leaderboard.json")
    shown: list[tuple[str, str]] = []
    if plots:
        from cmteb.leaderboard.plots import render_plots

        for name, title, png in render_plots(board):
            write_bytes_atomic(out / PLOTS_DIR / name, png)
            written.append(out / PLOTS_DIR / name)
            shown.append((f"{PLOTS_DIR}/{name}", title))
    write_text_atomic(out / "index.html", html_text(board, plots=shown, generated=generated))
    written.append(out / "index.html")
    return written
