"""`cmteb list`: each task with type, split(s), main score, dataset path and revision."""

from __future__ import annotations

import argparse
import json

from cmteb.tasks.listing import render_table, task_rows
from cmteb.tasks.registry import TaskRegistry


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--benchmark", metavar="NAME", help="only this benchmark's tasks (default: all)")
    p.add_argument("--protocol", choices=["cmteb", "mteb"],
                   help="whose splits and main score to show (default: the benchmark's, else cmteb)")
    p.add_argument("--format", choices=["table", "json"], default="table")


def main(args: argparse.Namespace) -> int:
    registry = TaskRegistry()
    if args.benchmark:
        bench = registry.benchmark(args.benchmark)
        specs = [registry.get(n) for n in bench.tasks]
        protocol = args.protocol or bench.protocol
        rows = task_rows(specs, protocol, benchmark=bench)
    else:
        rows = task_rows([registry.get(n) for n in registry.names()], args.protocol or "cmteb")
    print(json.dumps(rows, ensure_ascii=False, indent=2) if args.format == "json"
          else render_table(rows))
    return 0
