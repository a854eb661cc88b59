"""The `cmteb run` flags of the distributed backends: `--shard I/N`, `--ray [ADDRESS]`, `--ray-*`."""

from __future__ import annotations

import argparse

from cmteb.distributed.options import DEFAULT_CORPUS_CHUNK, RayOptions, Shard
from cmteb.errors import UserError

LOCAL = "local"  # `--ray` without an address: start a local Ray instance


def add_arguments(p: argparse.ArgumentParser) -> None:
    d = p.add_argument_group("scale out (see docs: Running on a cluster)")
    d.add_argument("--shard", metavar="I/N",
                   help="run only slice I of N of the (model, task) units (e.g. a Slurm array task); "
                        "assemble with `cmteb merge` or a shared --output-dir")
    d.add_argument("--ray", nargs="?", const=LOCAL, metavar="ADDRESS",
                   help="run the units on Ray: no ADDRESS starts a local instance; else e.g. 'auto' or "
                        "'ray://head:10001' (needs pip install 'cmteb[ray]')")
    d.add_argument("--ray-workers", type=int, metavar="N",
                   help="Ray actors, each one model replica (default: one per GPU with --device cuda, "
                        "else one per --ray-cpus-per-worker CPUs)")
    d.add_argument("--ray-cpus-per-worker", type=int, default=1, metavar="N",
                   help="CPU slots Ray reserves for each worker")
    d.add_argument("--ray-corpus-chunk", type=int, default=DEFAULT_CORPUS_CHUNK, metavar="DOCS",
                   help="split retrieval corpora larger than this into units of this many documents "
                        f"(a multiple of {DEFAULT_CORPUS_CHUNK}, the exact search's block; default that)")


def from_args(args: argparse.Namespace) -> tuple[Shard | None, RayOptions | None]:
    """(shard, ray options) from parsed flags; UserError for flags that do not go together."""
    shard = Shard.parse(args.shard) if args.shard is not None else None
    ray_flags = args.ray_workers is not None or args.ray_cpus_per_worker != 1 or (
        args.ray_corpus_chunk != DEFAULT_CORPUS_CHUNK)
    if args.ray is None:
        if ray_flags:
            raise UserError("--ray-workers / --ray-cpus-per-worker / --ray-corpus-chunk need --ray")
        return shard, None
    if shard is not None:
        raise UserError("--shard and --ray do not go together: Ray already spreads every unit")
    options = RayOptions(
        address=None if args.ray == LOCAL else args.ray, workers=args.ray_workers,
        cpus_per_worker=args.ray_cpus_per_worker, corpus_chunk=args.ray_corpus_chunk,
    )
    return shard, options
