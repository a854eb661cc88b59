"""`cmteb download`: fetch tasks from the hub at their pinned revisions into the local layout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cmteb.commands.run_cmd import _csv
from cmteb.config import TaskSelection
from cmteb.errors import EXIT_OK, EXIT_USER_ERROR, one_line
from cmteb.selection import plan_tasks
from cmteb.tasks.registry import TaskRegistry

EXAMPLES = """\
examples:
  cmteb download --benchmark C-MTEB --data-dir cmteb-data     # on a machine that reaches the hub
  cmteb download --tasks T2Retrieval,STSB --data-dir cmteb-data
  cmteb run --model BAAI/bge-large-zh-v1.5 --data-dir cmteb-data   # later, offline
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, required=True, metavar="DIR",
                   help="folder to write DIR/<Task>/... in the local layout `cmteb run --data-dir` reads")
    p.add_argument("--tasks", type=_csv, default=[], metavar="A,B", help="these tasks")
    p.add_argument("--benchmark", metavar="NAME",
                   help="a benchmark's tasks (see `cmteb list --benchmarks`; default: C-MTEB)")
    p.add_argument("--task-types", type=_csv, default=[], metavar="Retrieval,STS",
                   help="only the benchmark's tasks of these types (mteb's names, any case)")


def main(args: argparse.Namespace) -> int:
    from cmteb.data.download import DownloadItem, download_tasks
    from cmteb.data.hub import MIRROR_VAR, hub_mirror

    selection = TaskSelection(tasks=tuple(args.tasks), benchmark=args.benchmark,
                              task_types=tuple(args.task_types))
    plan = plan_tasks(selection, None, TaskRegistry())
    items = [DownloadItem(t.spec, t.required, t.optional) for t in plan.tasks]
    if hub_mirror() is not None:
        print(f"cmteb: reading the hub repos from {hub_mirror()} ({MIRROR_VAR}); their revisions "
              "are not verified", file=sys.stderr)
    report = download_tasks(items, args.data_dir)
    for line in report.lines:
        print(line)
    for note in report.notes:
        print(f"cmteb: note: {note}", file=sys.stderr)
    for failure in report.failures:
        print(f"cmteb: error: {one_line(failure)}", file=sys.stderr)
    return EXIT_USER_ERROR if report.failures else EXIT_OK
