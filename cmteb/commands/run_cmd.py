"""`cmteb run`: evaluate one or more models on tasks and write one result file per task."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cmteb.config import RunConfig, TaskSelection
from cmteb.distributed import cli_args as distributed_args
from cmteb.engine.batching import DEFAULT_BATCH_SIZE
from cmteb.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_TASK_FAILED, UserError, one_line
from cmteb.evaluators._search import SEARCH_BACKENDS
from cmteb.models import api_options
from cmteb.models.types import ModelOptions


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model")
    g.add_argument("--model", action="append", default=[], metavar="M",
                   help="registry or hub name, local folder, 'hash', package.module:Class, or api:NAME "
                        "for a served model (repeatable, or comma-separated)")
    g.add_argument("--models-file", type=Path, help="a file with one model per line")
    g.add_argument("--revision", help="model revision (hub commit) to load and record")
    g.add_argument("--name", help="name to record and use for the results folder")
    g.add_argument("--pooling", choices=["cls", "mean", "last"])
    g.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=None)
    g.add_argument("--query-instruction", metavar="TEXT")
    g.add_argument("--no-instruction", action="store_true", help="no query instruction at all")
    g.add_argument("--instruction-scope", choices=["retrieval", "all"], default="retrieval",
                   help="where the model's instruction goes: retrieval = retrieval/reranking queries "
                        "only (default); all = also every symmetric text (STS, pair classification, "
                        "classification, clustering), as mteb runs instruction models")
    g.add_argument("--query-prefix", metavar="TEXT")
    g.add_argument("--passage-prefix", metavar="TEXT")
    g.add_argument("--symmetric-prefix", metavar="TEXT",
                   help="prefix for STS/pair/classification/clustering texts (default: query prefix)")
    g.add_argument("--max-length", type=int, metavar="N")
    g.add_argument("--dtype", choices=["fp32", "fp16", "bf16", "auto"], default="fp32",
                   help="fp32 (default, reproducible); auto = the fastest the device supports")
    g.add_argument("--device", default="cpu", help="cpu, cuda, or cuda:0,1")
    g.add_argument("--rerank-top-k", type=int, metavar="K",
                   help="cross-encoder on retrieval tasks: rerank each query's top K first-stage hits "
                        "(default 100)")
    g.add_argument("--first-stage", metavar="MODEL_OR_RESULTS",
                   help="the retrieval run a cross-encoder reranks: a model, or a results folder")
    api_options.add_arguments(p)
    t = p.add_argument_group("tasks")
    t.add_argument("--tasks", type=_csv, default=[], metavar="A,B")
    t.add_argument("--benchmark", metavar="NAME")
    t.add_argument("--task-types", type=_csv, default=[], metavar="Retrieval,STS")
    t.add_argument("--task-file", type=Path, action="append", default=[], metavar="PATH")
    t.add_argument("--protocol", choices=["cmteb", "mteb"])
    t.add_argument("--search", choices=SEARCH_BACKENDS, default="exact",
                   help="retrieval search: exact (default, cmteb's own) or faiss (its exact search; "
                        "pip install 'cmteb[faiss]')")
    o = p.add_argument_group("data and output")
    o.add_argument("--data-dir", type=Path, help="local task data: DIR/<Task>/...")
    o.add_argument("--output-dir", type=Path, default=Path("results"))
    o.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                   help=f"most texts per batch (default {DEFAULT_BATCH_SIZE}; the token budget usually "
                        "binds first)")
    o.add_argument("--token-budget", type=int, metavar="N",
                   help="most padded tokens per batch (default: 4096 on CPU, 65536 on GPU)")
    o.add_argument("--cache-dir", type=Path, help="embedding cache folder (default: the user cache dir)")
    o.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    o.add_argument("--overwrite", action="store_true", help="recompute finished tasks")
    o.add_argument("--quick", action="store_true",
                   help="a fixed, deterministic subsample of every task (for CI); results go to "
                        "OUTPUT/<model>/<revision>-quick/")
    o.add_argument("--no-progress", action="store_true")
    distributed_args.add_arguments(p)


def _models(args: argparse.Namespace) -> tuple[str, ...]:
    names = [m for value in args.model for m in _csv(value)]
    if args.models_file:
        try:
            lines = args.models_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UserError(f"{args.models_file}: cannot read models file: {exc}") from exc
        names += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not names:
        raise UserError("no model given (use --model or --models-file)")
    return tuple(dict.fromkeys(names))


def config_from_args(args: argparse.Namespace) -> RunConfig:
    if args.batch_size < 1:
        raise UserError(f"--batch-size must be positive, got {args.batch_size}")
    if args.token_budget is not None and args.token_budget < 1:
        raise UserError(f"--token-budget must be positive, got {args.token_budget}")
    if args.max_length is not None and args.max_length < 1:
        raise UserError(f"--max-length must be positive, got {args.max_length}")
    if args.data_dir is not None and not args.data_dir.is_dir():
        raise UserError(f"--data-dir {args.data_dir}: no such folder")
    options = ModelOptions(
        pooling=args.pooling, normalize=args.normalize, query_instruction=args.query_instruction,
        no_instruction=args.no_instruction, query_prefix=args.query_prefix,
        passage_prefix=args.passage_prefix, symmetric_prefix=args.symmetric_prefix,
        max_length=args.max_length, dtype=args.dtype, device=args.device, name=args.name,
        revision=args.revision, rerank_top_k=args.rerank_top_k, first_stage=args.first_stage,
        instruction_scope=args.instruction_scope, api=api_options.from_args(args),
    )
    selection = TaskSelection(
        tasks=tuple(args.tasks), benchmark=args.benchmark, task_types=tuple(args.task_types),
        task_files=tuple(args.task_file),
    )
    shard, ray = distributed_args.from_args(args)
    return RunConfig(
        models=_models(args), selection=selection, model_options=options, protocol=args.protocol,
        data_dir=args.data_dir, output_dir=args.output_dir, batch_size=args.batch_size,
        overwrite=args.overwrite, quick=args.quick, show_progress=not args.no_progress,
        cache_dir=args.cache_dir, use_cache=not args.no_cache, token_budget=args.token_budget,
        search=args.search, shard=shard, ray=ray,
    )


def main(args: argparse.Namespace) -> int:
    from cmteb.runner import RunInterrupted, run
    from cmteb.summary import interrupted_line, render_summary

    config = config_from_args(args)
    try:
        report = run(config)
    except RunInterrupted as stop:
        if stop.report.outcomes:
            print(render_summary(stop.report))
        print(f"cmteb: {interrupted_line(stop.report)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(render_summary(report))
    if config.quick:
        print("cmteb: quick mode (cmteb.data.quick): tasks were subsampled; results are in "
              "<revision>-quick folders and compare only with other quick results", file=sys.stderr)
    for failure in report.failures:
        print(f"cmteb: error: {failure.model}: {one_line(failure.error or '')}", file=sys.stderr)
    return EXIT_TASK_FAILED if report.failures else EXIT_OK
