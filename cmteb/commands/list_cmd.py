"""`cmteb list`: each task with type, split(s), main score, dataset path and revision;
`cmteb list --benchmarks`: each benchmark with its task count, protocol and description."""

from __future__ import annotations

import argparse
import json

from cmteb.protocols import PROTOCOLS
from cmteb.tasks.listing import benchmark_rows, render_benchmark_table, render_table, task_rows
from cmteb.tasks.registry import TaskRegistry

EXAMPLES = """\
examples:
  cmteb list                                  # every task (protocol cmteb)
  cmteb list --benchmarks                     # the benchmarks: task count, protocol, description
  cmteb list --benchmark "MTEB(cmn, v1)"      # one benchmark's tasks, with its splits and protocol
  cmteb list --protocol mteb --format json    # JSON for scripts: splits and main score per task
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    what = p.add_mutually_exclusive_group()
    what.add_argument("--benchmark", metavar="NAME",
                      help="only this benchmark's tasks, with its split narrowing (default: every task)")
    what.add_argument("--benchmarks", action="store_true",
                      help="list the benchmarks instead of tasks")
    p.add_argument("--protocol", choices=list(PROTOCOLS),
                   help="whose splits and main score to show (default: the benchmark's, else cmteb)")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="an aligned table, or one JSON document for scripts")


def main(args: argparse.Namespace) -> int:
    registry = TaskRegistry()
    if args.benchmarks:
        rows = benchmark_rows(registry.benchmark(n) for n in registry.benchmark_names())
        print(json.dumps(rows, ensure_ascii=False, indent=2) if args.format == "json"
              else render_benchmark_table(rows))
        return 0
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
