"""`cmteb compare BASELINE CANDIDATE`: per-task deltas with a paired test; exit 1 on regression.

BASELINE and CANDIDATE are results folders (one model's TaskResult files at any depth) or
baseline files (`cmteb baseline save`). Exit 0: nothing regressed; 1: at least one task
regressed (worse by more than --tolerance points, significant at --alpha), and nothing else;
2: unusable or mismatched input or a report that cannot be written, one line per problem on
stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cmteb import cli_help
from cmteb.compare.resultset import CompareInputError
from cmteb.errors import EXIT_USER_ERROR, UserError, one_line

if TYPE_CHECKING:
    from cmteb.compare.resultset import ResultSet


def _non_negative(value: str) -> float:
    number = float(value)
    if not 0 <= number < math.inf:  # NaN or inf would make the gate unable to fail
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {value}")
    return number


def _probability(value: str) -> float:
    number = float(value)
    if not 0 < number < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return number


def _resamples(value: str) -> int:
    number = int(value)
    if not 1 <= number <= cli_help.MAX_RESAMPLES:
        raise argparse.ArgumentTypeError(f"must be from 1 to {cli_help.MAX_RESAMPLES}, got {value}")
    return number


EXAMPLES = """\
examples:
  cmteb compare results-main/BAAI__bge-small-zh-v1.5 results-pr/BAAI__bge-small-zh-v1.5
  cmteb compare baselines/BAAI__bge-small-zh-v1.5.quick.json results/BAAI__bge-small-zh-v1.5 \\
      --tolerance 1.0 --report compare.md
"""


def add_compare_options(p: argparse.ArgumentParser) -> None:
    """The options `compare` and `baseline check` share."""
    p.add_argument("--benchmark", metavar="NAME",
                   help="compare exactly this benchmark's tasks, splits and protocol")
    p.add_argument("--tolerance", type=_non_negative, default=0.5, metavar="POINTS",
                   help="smallest main-score change (points, 0-100) that counts (default 0.5)")
    p.add_argument("--alpha", type=_probability, default=0.05, metavar="P",
                   help="significance level of the paired test (default 0.05)")
    p.add_argument("--resamples", type=_resamples, default=2000, metavar="N",
                   help="randomization-test resamples per task (default 2000)")
    p.add_argument("--seed", type=cli_help.seed, default=0, metavar="N",
                   help="seed of the test's random generator")
    p.add_argument("--report", type=Path, metavar="FILE", help="also write the Markdown report here")
    p.add_argument("--format", choices=["md", "json"], default="md",
                   help="stdout: the Markdown report, or one JSON document")
    p.add_argument("--allow-mismatch", action="store_true",
                   help="compare even when protocol, data or splits differ (listed in the report)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("baseline", type=Path, help="results folder or baseline file")
    p.add_argument("candidate", type=Path, help="results folder or baseline file")
    add_compare_options(p)


def options_from_args(args: argparse.Namespace):
    from cmteb.compare.core import CompareOptions

    return CompareOptions(
        tolerance=args.tolerance, alpha=args.alpha, allow_mismatch=args.allow_mismatch,
        benchmark=args.benchmark, resamples=args.resamples, seed=args.seed,
    )


def report_comparison(baseline: ResultSet, candidate: ResultSet, args: argparse.Namespace) -> int:
    """Compare, print and write the report; the exit code."""
    from cmteb.compare.core import compare_sets
    from cmteb.compare.report import render_markdown, to_json
    from cmteb.results.io import WriteError, write_text_atomic

    try:
        comparison = compare_sets(baseline, candidate, options_from_args(args))
    except CompareInputError as exc:
        for problem in exc.problems:
            print(f"cmteb: error: {one_line(problem)}", file=sys.stderr)
        return EXIT_USER_ERROR
    markdown = render_markdown(comparison)
    if args.report:
        try:
            write_text_atomic(args.report, markdown + "\n")
        except WriteError as exc:  # a TaskError: here a failure of the tool, exit 2
            raise UserError(f"--report: {exc}") from exc
    if args.format == "json":
        print(json.dumps(to_json(comparison), ensure_ascii=False, indent=2))
    else:
        print(markdown)
    for row in comparison.tasks:
        if row.verdict == "regression":
            p = "main score only" if row.p_value is None else f"p={row.p_value:.3g}"
            print(one_line(f"cmteb: regression: {row.task}: {row.metric} {row.baseline:.2f} -> "
                           f"{row.candidate:.2f} ({row.delta:+.2f} points, {p})"), file=sys.stderr)
    return comparison.exit_code


def main(args: argparse.Namespace) -> int:
    from cmteb.compare.baseline import load_result_set

    return report_comparison(load_result_set(args.baseline), load_result_set(args.candidate), args)
