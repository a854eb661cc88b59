"""`cmteb baseline save RESULTS` / `cmteb baseline check CANDIDATE`: a baseline file per model in
the repository (`baselines/<org__model>.json`, `.quick.json` for quick results) and a check of new
results against it (exactly `cmteb compare BASELINE_FILE CANDIDATE`, same options and exit codes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cmteb.commands.compare_cmd import add_compare_options, report_comparison
from cmteb.errors import EXIT_OK, UserError

DEFAULT_DIR = Path("baselines")


EXAMPLES = """\
examples:
  cmteb run --model BAAI/bge-small-zh-v1.5 --quick --output-dir results
  cmteb baseline save results/BAAI__bge-small-zh-v1.5       # once, from a trusted run; commit the file
  cmteb baseline check results/BAAI__bge-small-zh-v1.5      # in CI: exit 1 on a regression
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, parser_class=type(p),
                           metavar="{save,check}")
    save = sub.add_parser("save", help="write the baseline file of one model's results")
    save.add_argument("results", type=Path, help="one model's results folder")
    save.add_argument("--baselines-dir", type=Path, default=DEFAULT_DIR, metavar="DIR",
                      help="where baseline files live (default: baselines)")
    save.add_argument("--name", help="model name for the file (default: the recorded model name)")
    save.add_argument("--update", action="store_true", help="replace an existing baseline file")
    check = sub.add_parser("check", help="compare results with the model's baseline file")
    check.add_argument("candidate", type=Path, help="one model's results folder")
    where = check.add_mutually_exclusive_group()
    where.add_argument("--baselines-dir", type=Path, default=DEFAULT_DIR, metavar="DIR",
                       help="find <org__model>[.quick].json here (default: baselines)")
    where.add_argument("--baseline", type=Path, metavar="FILE", help="this baseline file instead")
    add_compare_options(check)


def save(args: argparse.Namespace) -> int:
    from cmteb.compare.baseline import baseline_path, build_baseline, is_quick, write_baseline
    from cmteb.compare.matching import main_value, plan_task, value_problem
    from cmteb.compare.resultset import load_result_set
    from cmteb.tasks.registry import TaskRegistry

    if not args.results.is_dir():
        raise UserError(f"{args.results}: no such results folder")
    results = load_result_set(args.results)
    name = args.name or results.model
    if not name:
        raise UserError(f"{args.results}: the results record no model name; pass --name")
    path = baseline_path(args.baselines_dir, name, is_quick(results))
    if path.exists() and not args.update:
        raise UserError(f"{path}: baseline exists; pass --update to replace it")
    registry, scores = TaskRegistry(), {}
    for task, file in results.tasks.items():
        plan = plan_task(file, None, registry)
        problem = value_problem(file, plan)
        if problem:
            raise UserError(f"{file.origin}: {problem}")
        value = main_value(file, plan)
        if value is None:
            raise UserError(f"{file.origin}: no {plan.metric or 'main_score'} value to save")
        scores[task] = (plan.type, plan.metric or "main_score", 100 * value)
    write_baseline(path, build_baseline(results, scores))
    print(f"cmteb: baseline of {name} ({len(scores)} tasks"
          f"{', quick' if is_quick(results) else ''}) written to {path}")
    return EXIT_OK


def check(args: argparse.Namespace) -> int:
    from cmteb.compare.baseline import baseline_path, is_quick, read_baseline
    from cmteb.compare.resultset import load_result_set

    candidate = load_result_set(args.candidate)
    path = args.baseline
    if path is None:
        if not candidate.model:
            raise UserError(f"{args.candidate}: the results record no model name; pass --baseline")
        path = baseline_path(args.baselines_dir, candidate.model, is_quick(candidate))
    if not path.is_file():
        raise UserError(f"{path}: no baseline file (create one with `cmteb baseline save RESULTS`)")
    return report_comparison(read_baseline(path), candidate, args)


def main(args: argparse.Namespace) -> int:
    return save(args) if args.action == "save" else check(args)
