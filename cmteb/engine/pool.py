"""Data-parallel encoding: one worker process per device, each with its own model copy.

The parent plans length-sorted token-budget batches and puts them, longest first, on one shared
queue; idle workers take the next batch (so faster devices do more), embed it with their own
`BatchRunner` (OOM back-off per device) and send the rows back. The parent writes each batch's
rows into place as it arrives.

Failure policy (no hang): a worker that raises sends its exception text and traceback to the
parent; a worker that dies without a word (killed, segfault) is noticed by polling. Either way
the parent stops every worker and raises `WorkerFailed` naming the device and the cause.
Workers are started with `spawn` (safe with CUDA) and exit when the parent goes away.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from cmteb.engine.local import BatchRunner, Emit

log = logging.getLogger("cmteb")

POLL_S = 0.5
BackendFactory = Callable[[str], Any]  # device -> TokenBackend; must be picklable


class WorkerFailed(RuntimeError):
    """An encoding worker raised or died: a one-line message naming its device and the cause;
    the worker's traceback (when it had one) in `worker_traceback`."""

    def __init__(self, message: str, worker_traceback: str = "") -> None:
        super().__init__(message)
        self.worker_traceback = worker_traceback


def _worker_main(index: int, device: str, factory: BackendFactory, limits: tuple[int, int],
                 threads: int, tasks: Any, results: Any) -> None:
    """Worker loop: build the backend, then embed (batch_id, texts, lengths) until None."""
    try:
        runner = BatchRunner(factory(device), *limits)
        torch = sys.modules.get("torch")
        if torch is not None and device == "cpu":
            torch.set_num_threads(threads)
        parent = os.getppid()
        while True:
            try:
                item = tasks.get(timeout=5)
            except queue.Empty:
                if os.getppid() != parent:
                    return
                continue
            if item is None:
                return
            batch_id, texts, lengths = item
            results.put(("rows", batch_id, _embed_batch(runner, texts, lengths)))
    except BaseException as exc:  # everything must reach the parent
        results.put(("error", index, f"{type(exc).__name__}: {exc}", traceback.format_exc()))


def _embed_batch(runner: BatchRunner, texts: list[str], lengths: list[int]) -> np.ndarray:
    """One planned batch -> float32 rows (one forward, or several after an OOM halving)."""
    parts: list[np.ndarray] = []
    runner.run(texts, lengths, lambda start, end, rows: parts.append(rows))
    return np.concatenate(parts)


class WorkerPool:
    """Worker processes over `devices`, started on first use and kept until `close()`."""

    def __init__(self, factory: BackendFactory, devices: Sequence[str], *, threads_per_worker: int = 1
                 ) -> None:
        self.factory = factory
        self.devices = list(devices)
        self.threads = threads_per_worker
        self._procs: list[Any] = []
        self._limits: tuple[int, int] | None = None

    def _start(self, limits: tuple[int, int]) -> None:
        ctx = mp.get_context("spawn")
        self._tasks, self._results = ctx.Queue(), ctx.Queue()
        self._limits = limits
        self._procs = [
            ctx.Process(target=_worker_main, daemon=True, name=f"cmteb-encode-{dev}",
                        args=(i, dev, self.factory, limits, self.threads, self._tasks, self._results))
            for i, dev in enumerate(self.devices)
        ]
        for proc in self._procs:
            proc.start()

    def run(self, texts: Sequence[str], lengths: Sequence[int], batches: list[tuple[int, int]],
            limits: tuple[int, int], emit: Emit) -> None:
        """Embed sorted `texts` in the planned `batches` [(start, end)] over all workers;
        `emit(start, end, rows)` per batch, in completion order. Raises WorkerFailed."""
        if not self._procs or self._limits != limits:
            self.close()
            self._start(limits)
        try:
            for batch_id, (start, end) in enumerate(batches):
                self._tasks.put((batch_id, list(texts[start:end]), list(lengths[start:end])))
            pending = set(range(len(batches)))
            while pending:
                _, key, payload = self._next_message()
                start, end = batches[key]
                emit(start, end, payload)
                pending.discard(key)
        except BaseException:
            self.close(force=True)
            raise

    def _next_message(self) -> tuple[Any, ...]:
        """The next ("rows", batch_id, rows) message; raises WorkerFailed on an error or a death."""
        while True:
            try:
                msg = self._results.get(timeout=POLL_S)
            except queue.Empty:
                dead = [(i, p) for i, p in enumerate(self._procs) if p.exitcode is not None]
                if not dead:
                    continue
                msg = self._last_words()
                if msg is None:
                    i, proc = dead[0]
                    raise WorkerFailed(f"encoding worker on {self.devices[i]} exited with code "
                                       f"{proc.exitcode} without reporting an error") from None
            if msg[0] == "error":
                _, index, text, trace = msg
                log.debug("encoding worker on %s failed:\n%s", self.devices[index], trace)
                first_line = text.splitlines()[0] if text else "unknown error"
                raise WorkerFailed(f"encoding worker on {self.devices[index]} failed: {first_line}", trace)
            return msg

    def _last_words(self) -> tuple[Any, ...] | None:
        """A message still in flight from a worker that just exited, if any."""
        try:
            return self._results.get(timeout=1.0)
        except queue.Empty:
            return None

    def close(self, *, force: bool = False) -> None:
        """Stop the workers (terminate at once when `force`, else ask, wait, then terminate)."""
        if not self._procs:
            return
        if not force:
            for _ in self._procs:
                self._tasks.put(None)
        for proc in self._procs:
            proc.join(timeout=0 if force else 10)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
        self._procs = []
        self._tasks.close()
        self._results.close()
