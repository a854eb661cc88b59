"""Where an adapter's backend runs: in this process on one device, or one worker process per device.

`place(load, token_counter, devices)`: one device -> `load(device)` here; several (`--device
cuda` on a multi-GPU machine, `cuda:0,1`, or CPU worker processes standing in for GPUs in tests)
-> a tokenizer-only `token_counter()` here (the engine plans batches from token lengths) and a
`WorkerPool` whose workers each run `load(device)`; the CPU threads are split between them.
`load` must be picklable (a module-level function or a `functools.partial` of one).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cmteb.engine.backend import encode_texts
from cmteb.engine.devices import cpu_thread_budget, default_token_budget
from cmteb.engine.pool import BackendFactory, WorkerPool


@dataclass
class Placement:
    """`backend`: the TokenBackend here, or only a token counter when `pool` runs the forward."""

    backend: Any
    pool: WorkerPool | None = None

    def encode(self, texts: list[str], *, batch_size: int) -> np.ndarray:
        """float32 (len(texts), dim) in input order (`encode_texts`)."""
        return encode_texts(self.backend, texts, batch_size=batch_size, pool=self.pool)

    def close(self) -> None:
        """Stop the worker processes (several devices only)."""
        if self.pool is not None:
            self.pool.close()


def place(load: BackendFactory, token_counter: Callable[[], Any], devices: list[str]) -> Placement:
    """The backend(s) for `devices` (module docstring)."""
    if len(devices) == 1:
        return Placement(load(devices[0]))
    counter = token_counter()
    counter.token_budget = default_token_budget(devices[0])
    pool = WorkerPool(load, devices, threads_per_worker=max(1, cpu_thread_budget() // len(devices)))
    placement = Placement(counter, pool)
    weakref.finalize(placement, pool.close, force=True)
    return placement
