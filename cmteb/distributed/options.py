"""Settings of the distributed backends: `--shard I/N` and `--ray [ADDRESS]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cmteb.errors import UserError
from cmteb.evaluators.search import exact

# Documents per retrieval corpus chunk on Ray: by default the exact search's corpus block.
DEFAULT_CORPUS_CHUNK = exact.CORPUS_CHUNK


def check_corpus_chunk(docs: int) -> None:
    """A corpus chunk must be a multiple of the exact search's corpus block, so that every
    similarity is computed in the same (query block x corpus block) product as in one process
    (a product of another shape may round the last bit differently)."""
    block = exact.CORPUS_CHUNK
    if docs < 1 or docs % block:
        raise UserError(f"--ray-corpus-chunk {docs}: must be a positive multiple of {block} "
                        "(the exact search's block), so scores equal a single-process run's")


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (1-based, as Slurm's array ids and the `--shard I/N` flag)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """'I/N' with 1 <= I <= N; UserError otherwise."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not match:
            raise UserError(f"--shard {text!r}: expected I/N, e.g. 1/4")
        return cls(int(match[1]), int(match[2]))

    def __post_init__(self) -> None:
        if self.count < 1 or not 1 <= self.index <= self.count:
            raise UserError(f"--shard {str(self)!r}: I must be between 1 and N (N >= 1)")

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class RayOptions:
    """`--ray`: where to run and how to split the work.

    `address`: None starts a local Ray instance; else passed to `ray.init(address=...)`
        ("auto", "ray://head:10001", "10.0.0.1:6379").
    `workers`: actors (model replicas); None = one per GPU with a CUDA device, else one per
        `cpus_per_worker` CPUs of the cluster.
    `corpus_chunk`: a retrieval split whose corpus has more documents is encoded and searched
        in chunks of this many documents, each a unit of its own (see `check_corpus_chunk`).
    `max_restarts`: how often a lost worker is restarted and its unit retried.
    """

    address: str | None = None
    workers: int | None = None
    cpus_per_worker: int = 1
    corpus_chunk: int = DEFAULT_CORPUS_CHUNK
    max_restarts: int = 3

    def __post_init__(self) -> None:
        if self.cpus_per_worker < 1:
            raise UserError("--ray-cpus-per-worker must be positive")
        check_corpus_chunk(self.corpus_chunk)
        if self.workers is not None and self.workers < 1:
            raise UserError("--ray-workers must be positive")
