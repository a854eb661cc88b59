"""`cmteb leaderboard`: one table per benchmark from result folders (cmteb's and the field's).

Writes leaderboard.md, leaderboard.csv, leaderboard.json, plots/*.png and index.html to --out.
stdout: the summary table (or, with --format json, the leaderboard as one JSON document);
stderr: what was written and what was left out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import cmteb
from cmteb.errors import UserError

EXAMPLES = """\
examples:
  cmteb leaderboard --results results                          # C-MTEB table of your runs
  cmteb leaderboard --results results mteb-results/results --benchmark "MTEB(cmn, v1)" --out lb
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--results", type=Path, nargs="+", required=True, metavar="DIR",
                   help="folders holding {org__model}/{revision}/{Task}.json at any depth "
                        "(cmteb output or the mteb results repository)")
    p.add_argument("--benchmark", default="C-MTEB", metavar="NAME",
                   help="benchmark whose tasks, splits, metrics and means to use (default C-MTEB)")
    p.add_argument("--out", type=Path, default=Path("leaderboard"), metavar="DIR",
                   help="folder for the outputs (default: leaderboard)")
    p.add_argument("--strict", action="store_true",
                   help="count results that deviate from the benchmark's convention as missing")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots (faster)")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="what to print on stdout (the files are written either way)")


def main(args: argparse.Namespace) -> int:
    from cmteb.leaderboard.build import build_leaderboard
    from cmteb.leaderboard.export import leaderboard_dict
    from cmteb.leaderboard.publish import publish
    from cmteb.leaderboard.tables import summary_lines

    if args.out.exists() and not args.out.is_dir():
        raise UserError(f"--out {args.out}: exists and is not a folder")
    board = build_leaderboard(args.results, args.benchmark, strict=args.strict)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    generated = f"generated {stamp} by cmteb {cmteb.__version__}"
    written = publish(board, args.out, generated=generated, plots=not args.no_plots)
    for line in board.ignored:
        print(f"cmteb: left out {line}", file=sys.stderr)
    print(f"cmteb: wrote {len(written)} files to {args.out} (open {args.out / 'index.html'})",
          file=sys.stderr)
    if args.format == "json":
        print(json.dumps(leaderboard_dict(board), ensure_ascii=False, indent=2))
    else:
        print("\n".join(summary_lines(board)))
    return 0
