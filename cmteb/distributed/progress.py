"""Progress of a whole cluster run on stderr: units done / total, jobs, texts/s across workers.

One line when a unit (a result file) finishes or fails, and otherwise at most one line every
`every` seconds as jobs finish. Texts/s = texts embedded by all workers since the run started,
divided by the wall time since then (so it includes model loading and scoring).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


class ClusterProgress:
    def __init__(
        self, units: int, jobs: int, workers: int, *, enabled: bool = True, stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic, every: float = 10.0,
    ) -> None:
        self.units, self.jobs, self.workers = units, jobs, workers
        self.units_done = self.units_failed = self.jobs_done = self.texts = 0
        self._enabled, self._stream, self._clock, self._every = enabled, stream, clock, every
        self._start = self._last = clock()

    def job_done(self, texts: int, *, unit_follows: bool = False) -> None:
        """Count a finished job; `unit_follows`: its unit is complete (unit_done will print)."""
        self.jobs_done += 1
        self.texts += texts
        if not unit_follows and self._clock() - self._last >= self._every:
            self._print()

    def unit_done(self, *, failed: bool) -> None:
        self.units_done += 1
        self.units_failed += failed
        self._print()

    def line(self) -> str:
        elapsed = max(self._clock() - self._start, 1e-9)
        failed = f", {self.units_failed} failed" if self.units_failed else ""
        return (f"cmteb: ray: {self.units_done}/{self.units} units done{failed} "
                f"({self.jobs_done}/{self.jobs} jobs), {self.texts:,} texts, "
                f"{self.texts / elapsed:,.0f} texts/s across {self.workers} workers, {elapsed:.0f}s")

    def _print(self) -> None:
        self._last = self._clock()
        if self._enabled:
            print(self.line(), file=self._stream or sys.stderr, flush=True)
