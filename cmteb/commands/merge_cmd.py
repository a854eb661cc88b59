"""`cmteb merge DIR... --out DIR`: assemble result folders, e.g. those of `cmteb run --shard I/N`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cmteb.errors import EXIT_OK, EXIT_USER_ERROR, one_line

EXAMPLES = """\
examples:
  cmteb merge shard-1 shard-2 shard-3 --out results      # after `cmteb run --shard I/3 --output-dir shard-I`
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folders", nargs="+", type=Path, metavar="DIR",
                   help="result folders (each an --output-dir); files keep their relative paths")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="folder to merge into (created if missing; its existing results count too)")
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="a one-line summary, or the counts as one JSON document")


def main(args: argparse.Namespace) -> int:
    from cmteb.distributed.merge import apply_merge, plan_merge

    plan = plan_merge(list(args.folders), args.out)
    for conflict in plan.conflicts:
        print(f"cmteb: error: {one_line(conflict)}", file=sys.stderr)
    if plan.conflicts:
        print(f"cmteb: error: {len(plan.conflicts)} conflicting result file(s); nothing written",
              file=sys.stderr)
        return EXIT_USER_ERROR
    apply_merge(plan, args.out)
    summary = {"out": str(args.out), "copied": len(plan.copies), "identical_duplicates": plan.duplicates,
               "already_present": plan.present, "ignored_non_results": plan.ignored}
    if args.format == "json":
        print(json.dumps(summary))
    else:
        print(f"merged {len(args.folders)} folder(s) into {args.out}: {len(plan.copies)} result file(s) "
              f"copied, {plan.duplicates} identical duplicate(s), {plan.present} already there")
    return EXIT_OK
