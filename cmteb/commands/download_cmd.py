"""`cmteb download`: fetch tasks from the hub at their pinned revisions into the local layout."""

from __future__ import annotations

import argparse
from pathlib import Path

from cmteb.commands.run_cmd import _csv
from cmteb.config import TaskSelection
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
    from cmteb.data.download import download_tasks

    selection = TaskSelection(tasks=tuple(args.tasks), benchmark=args.benchmark,
                              task_types=tuple(args.task_types))
    plan = plan_tasks(selection, None, TaskRegistry())
    splits = {t.spec.name: [*t.required, *t.optional] for t in plan.tasks}
    download_tasks([t.spec for t in plan.tasks], args.data_dir, splits)
    return 0
