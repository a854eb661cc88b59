"""`cmteb run`: evaluate one or more models on tasks and write one result file per task."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import get_args

from cmteb.config import RunConfig, TaskSelection
from cmteb.distributed import cli_args as distributed_args
from cmteb.engine.batching import DEFAULT_BATCH_SIZE
from cmteb.engine.devices import DTYPE_CHOICES
from cmteb.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_TASK_FAILED, UserError, one_line
from cmteb.evaluators.search import SEARCHES
from cmteb.models import api_options
from cmteb.models.policy import SCOPES
from cmteb.models.types import ModelOptions, Pooling
from cmteb.protocols import PROTOCOLS


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


EXAMPLES = """\
examples:
  cmteb run --model hash --benchmark demo                   # smoke test: no download, seconds
  cmteb run --model BAAI/bge-large-zh-v1.5                  # the 31 C-MTEB tasks (protocol cmteb)
  cmteb run --model BAAI/bge-large-zh-v1.5 --benchmark "MTEB(cmn, v1)"   # mteb's leaderboard protocol
  cmteb run --model BAAI/bge-large-zh-v1.5 --benchmark C-MTEB --task-types Retrieval,Reranking
  cmteb run --model ./my-checkpoint --pooling cls \\
      --query-instruction "为这个句子生成表示以用于检索相关文章："        # your own checkpoint
  cmteb run --model intfloat/multilingual-e5-base --tasks STSB,AFQMC --data-dir ./cmteb-data
  cmteb run --model hash --benchmark C-MTEB --quick          # a small fixed subsample, for CI
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model")
    g.add_argument("--model", action="append", default=[], metavar="M",
                   help="registry or hub name, local folder, 'hash', package.module:Class, or api:NAME "
                        "for a served model (repeatable, or comma-separated)")
    g.add_argument("--models-file", type=Path, metavar="FILE",
                   help="a file with one model per line (# starts a comment)")
    g.add_argument("--revision", metavar="REV",
                   help="model revision (hub commit) to load and record (default: the registry's pin, "
                        "else the hub's main)")
    g.add_argument("--name", metavar="NAME",
                   help="name to record and use for the results folder (default: the model name, "
                        "or a local folder's name)")
    g.add_argument("--pooling", choices=get_args(Pooling),
                   help="load a plain transformers checkpoint with this pooling (default: the "
                        "registry entry's, else the sentence-transformers modules')")
    g.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=None,
                   help="L2-normalize embeddings (default: the registry entry's, else yes)")
    g.add_argument("--query-instruction", metavar="TEXT",
                   help="instruction before retrieval and reranking queries only (default: the "
                        "registry entry's)")
    g.add_argument("--no-instruction", action="store_true",
                   help="no query instruction at all, even the registry entry's")
    g.add_argument("--instruction-scope", choices=SCOPES, default="retrieval",
                   help="where the model's instruction goes: retrieval = retrieval/reranking queries "
                        "only (default); all = also every symmetric text (STS, pair classification, "
                        "classification, clustering), as mteb runs instruction models")
    g.add_argument("--query-prefix", metavar="TEXT",
                   help="prefix of retrieval and reranking queries, e.g. 'query: ' (default: the "
                        "registry entry's, else none)")
    g.add_argument("--passage-prefix", metavar="TEXT",
                   help="prefix of passages, e.g. 'passage: ' (default: the registry entry's, else none)")
    g.add_argument("--symmetric-prefix", metavar="TEXT",
                   help="prefix for STS/pair/classification/clustering texts (default: query prefix)")
    g.add_argument("--max-length", type=int, metavar="N",
                   help="tokens per text; longer texts are cut and counted in the results (default: "
                        "the registry entry's, else the model's own)")
    g.add_argument("--dtype", choices=DTYPE_CHOICES, default="fp32",
                   help="fp32 (default, reproducible); auto = the fastest the device supports")
    g.add_argument("--device", default="cpu", metavar="DEVICE",
                   help="cpu, cuda, cuda:1, or cuda:0,1 for several GPUs")
    g.add_argument("--rerank-top-k", type=int, metavar="K",
                   help="cross-encoder on retrieval tasks: rerank each query's top K first-stage hits "
                        "(default 100)")
    g.add_argument("--first-stage", metavar="MODEL_OR_RESULTS",
                   help="the retrieval run a cross-encoder reranks: a model, or a results folder")
    api_options.add_arguments(p)
    t = p.add_argument_group("tasks (default: benchmark C-MTEB)")
    t.add_argument("--tasks", type=_csv, default=[], metavar="A,B",
                   help="these tasks (see `cmteb list`); combines with --task-file only")
    t.add_argument("--benchmark", metavar="NAME",
                   help="a benchmark's tasks, splits and protocol (see `cmteb list --benchmarks`; "
                        "default: C-MTEB)")
    t.add_argument("--task-types", type=_csv, default=[], metavar="Retrieval,STS",
                   help="only the benchmark's tasks of these types (mteb's names, any case)")
    t.add_argument("--task-file", type=Path, action="append", default=[], metavar="PATH",
                   help="a task YAML outside tasks/, same schema (repeatable)")
    t.add_argument("--protocol", choices=list(PROTOCOLS),
                   help="whose splits and main scores: cmteb = the published BGE tables, mteb = the "
                        "pinned mteb (default: the benchmark's; both are always computed)")
    t.add_argument("--search", choices=SEARCHES, default="exact",
                   help="retrieval search: exact (default, cmteb's own) or faiss (its exact search; "
                        "pip install 'cmteb[faiss]')")
    o = p.add_argument_group("data and output")
    o.add_argument("--data-dir", type=Path, metavar="DIR",
                   help="local task data: DIR/<Task>/ in the documented layout; a task without a "
                        "folder there is read from the hub")
    o.add_argument("--output-dir", type=Path, default=Path("results"), metavar="DIR",
                   help="results go to DIR/<org__model>/<revision>/<Task>.json")
    o.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="N",
                   help=f"most texts per batch (default {DEFAULT_BATCH_SIZE}; the token budget usually "
                        "binds first)")
    o.add_argument("--token-budget", type=int, metavar="N",
                   help="most padded tokens per batch (default: 4096 on CPU, 65536 on GPU)")
    o.add_argument("--cache-dir", type=Path, metavar="DIR",
                   help="embedding cache folder (default: the user cache dir)")
    o.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    o.add_argument("--overwrite", action="store_true",
                   help="recompute finished tasks (without it, finished tasks with the same settings "
                        "are skipped)")
    o.add_argument("--quick", action="store_true",
                   help="a fixed, deterministic subsample of every task (for CI); results go to "
                        "OUTPUT/<model>/<revision>-quick/")
    o.add_argument("--no-progress", action="store_true",
                   help="no progress bars (they show only on a terminal anyway)")
    distributed_args.add_arguments(p)


def _models(args: argparse.Namespace) -> tuple[str, ...]:
    names = [m for value in args.model for m in _csv(value)]
    if args.models_file:
        try:
            lines = args.models_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UserError(f"{args.models_file}: cannot read models file: {exc}") from exc
        names += [name for ln in lines if (name := ln.split("#", 1)[0].strip())]  # "#": a comment
    if not names:
        raise UserError("no model given (use --model or --models-file)")
    return tuple(dict.fromkeys(names))


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The run's configuration from the flags; `ModelOptions` and `RunConfig` validate it
    (UserError, one line)."""
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
    from cmteb.pipeline.run import RunInterrupted, run
    from cmteb.summary import interrupted_line, render_summary

    config = config_from_args(args)
    started = time.monotonic()
    try:
        report = run(config)
    except RunInterrupted as stop:
        if stop.report.outcomes:
            print(render_summary(stop.report, output_dir=config.output_dir,
                                 elapsed=time.monotonic() - started))
        print(f"cmteb: {interrupted_line(stop.report)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(render_summary(report, output_dir=config.output_dir, elapsed=time.monotonic() - started))
    if config.quick:
        print("cmteb: quick mode (cmteb.data.quick): tasks were subsampled; results are in "
              "<revision>-quick folders and compare only with other quick results", file=sys.stderr)
    for failure in report.failures:
        print(f"cmteb: error: {failure.model}: {one_line(failure.error or '')}", file=sys.stderr)
    return EXIT_TASK_FAILED if report.failures else EXIT_OK
