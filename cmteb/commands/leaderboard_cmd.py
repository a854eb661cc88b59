"""`cmteb leaderboard`: one table per benchmark from result folders (cmteb's and the field's).

Writes leaderboard.md, leaderboard.csv, leaderboard.json, plots/*.png, model-cards/*.md (with
--model-card) and index.html to --out, all or nothing; with --export-results also the results in
the layout of the embeddings-benchmark/results repository. stdout: the summary table (or, with
--format json, the leaderboard as one JSON document); stderr: what was written and left out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import cmteb
from cmteb import cli_help
from cmteb.errors import UserError

EXAMPLES = """\
examples:
  cmteb leaderboard --results results                          # C-MTEB table of your runs
  cmteb leaderboard --results results mteb-results/results --benchmark "MTEB(cmn, v1)" --out lb
  cmteb leaderboard --results results --benchmark C-MTEB-35 --format json
  cmteb leaderboard --results results --model-card BAAI/bge-small-zh-v1.5
  cmteb leaderboard --results results --export-results results-pr
      # then copy results-pr/results into a clone of embeddings-benchmark/results
"""


def _resamples(value: str) -> int:
    number = int(value)
    if number != 0 and not 100 <= number <= cli_help.MAX_RESAMPLES:
        raise argparse.ArgumentTypeError(
            f"must be 0 (no intervals) or from 100 to {cli_help.MAX_RESAMPLES}, got {value}")
    return number


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--results", type=Path, nargs="+", required=True, metavar="DIR",
                   help="folders holding {org__model}/{revision}/{Task}.json at any depth "
                        "(cmteb output or the mteb results repository)")
    p.add_argument("--benchmark", default="C-MTEB", metavar="NAME",
                   help="benchmark whose tasks, splits, metrics and means to use (default C-MTEB)")
    p.add_argument("--out", type=Path, default=Path("leaderboard"), metavar="DIR",
                   help="folder for the outputs, replaced all or nothing (default: leaderboard)")
    p.add_argument("--strict", action="store_true",
                   help="count results that deviate from the benchmark's convention as missing")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots (faster)")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="what to print on stdout (the files are written either way; default table)")
    p.add_argument("--resamples", type=_resamples, default=1000, metavar="N",
                   help="bootstrap resamples of each 95%% interval, from the {Task}.samples.json "
                        "files beside the results (default 1000; 0 = no intervals)")
    p.add_argument("--seed", type=cli_help.seed, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--model-card", action="append", default=[], metavar="MODEL",
                   help="also write --out/model-cards/{org__model}.md holding MODEL's Hugging Face "
                        "model-index block, as `mteb create-meta` does (repeatable)")
    p.add_argument("--export-results", type=Path, metavar="DIR",
                   help="also write the cmteb results the leaderboard uses as "
                        "DIR/results/{org__model}/{revision}/{Task}.json + model_meta.json, the "
                        "layout of the embeddings-benchmark/results repository (mteb's fields and "
                        "main scores); existing different files are never overwritten")


def main(args: argparse.Namespace) -> int:
    from cmteb.leaderboard.build import build_leaderboard
    from cmteb.leaderboard.export import leaderboard_dict
    from cmteb.leaderboard.model_card import find_row
    from cmteb.leaderboard.publish import publish
    from cmteb.leaderboard.results_repo import check_conflicts, export_results
    from cmteb.leaderboard.tables import summary_lines

    if args.out.exists() and not args.out.is_dir():
        raise UserError(f"--out {args.out}: exists and is not a folder")
    if args.export_results is not None and args.export_results.exists() \
            and not args.export_results.is_dir():
        raise UserError(f"--export-results {args.export_results}: exists and is not a folder")
    board = build_leaderboard(args.results, args.benchmark, strict=args.strict,
                              resamples=args.resamples, seed=args.seed)
    for model in args.model_card:
        find_row(board, model)  # an unknown name stops before anything is written
    export = None
    if args.export_results is not None:
        export = export_results(board)
        if not export.files:
            raise UserError("--export-results: none of the leaderboard's results was written by "
                            "cmteb; nothing to export")
        check_conflicts(export.files, args.export_results)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    generated = f"generated {stamp} by cmteb {cmteb.__version__}"
    also = [(export.files, args.export_results)] if export is not None else []
    written = publish(board, args.out, generated=generated, plots=not args.no_plots,
                      model_cards=args.model_card, also=also)
    for line in board.ignored:
        print(f"cmteb: left out {line}", file=sys.stderr)
    print(f"cmteb: wrote {len(written)} files to {args.out} (open {args.out / 'index.html'})",
          file=sys.stderr)
    if export is not None:
        for note in export.notes:
            print(f"cmteb: export: {note}", file=sys.stderr)
        print(f"cmteb: exported {len(export.files)} files to {args.export_results / 'results'}",
              file=sys.stderr)
    if args.format == "json":
        print(json.dumps(leaderboard_dict(board), ensure_ascii=False, indent=2))
    else:
        print("\n".join(summary_lines(board)))
    return 0
