"""`cmteb download`: fetch tasks from the hub at their pinned revisions into the local layout."""

from __future__ import annotations

import argparse
from pathlib import Path

from cmteb.commands.run_cmd import _csv
from cmteb.config import TaskSelection
from cmteb.pipeline.plan import plan_tasks
from cmteb.tasks.registry import TaskRegistry


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, required=True, help="folder to write DIR/<Task>/...")
    p.add_argument("--tasks", type=_csv, default=[], metavar="A,B")
    p.add_argument("--benchmark", metavar="NAME")
    p.add_argument("--task-types", type=_csv, default=[], metavar="Retrieval,STS")


def main(args: argparse.Namespace) -> int:
    from cmteb.data.download import download_tasks

    selection = TaskSelection(tasks=tuple(args.tasks), benchmark=args.benchmark,
                              task_types=tuple(args.task_types))
    plan = plan_tasks(selection, None, TaskRegistry())
    splits = {t.spec.name: [*t.required, *t.optional] for t in plan.tasks}
    download_tasks([t.spec for t in plan.tasks], args.data_dir, splits)
    return 0
