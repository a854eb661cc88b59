"""One progress bar per task: texts encoded, texts/s, cache hits. Quiet when not a terminal.

The bar never goes backwards. When the runner knows up front how many distinct texts the task
will hand to the encoder (`plan`, from `cmteb.evaluators.texts_to_embed`), that is the bar's
total from the start; texts found in the cache are taken off the total as they are found (they
need no encoding, so the share done only grows), and the bar advances as each batch finishes, so
its rate is the encoder's real texts/s. Without a plan (a cross-encoder's pairs depend on the
first stage's hits) the bar counts what was encoded, with no total and no percentage, rather than
a total that grows under it. A cross-encoder's bar counts (query, passage) pairs (`unit="pairs"`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class TaskProgress:
    def __init__(self, task: str, *, unit: str = "texts", enabled: bool = True, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.unit = unit
        self.enabled = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.task = task
        self.hits = 0
        self.planned: int | None = None
        self._bar: Any = None

    def _ensure_bar(self) -> Any:
        if self._bar is None and self.enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=self.planned, desc=self.task, unit=" " + self.unit, file=self.stream,
                             leave=True, dynamic_ncols=True)
        return self._bar

    def plan(self, texts: int) -> None:
        """The task will hand `texts` distinct texts (pairs) to the encoder, cache included: the
        bar's total. Call before the first `expect`."""
        self.planned = texts
        bar = self._ensure_bar()
        if bar is not None:
            bar.total = texts
            bar.refresh()

    def expect(self, to_encode: int, hits: int) -> None:
        """`to_encode` more distinct texts (pairs) will be encoded; `hits` more came from the cache."""
        self.hits += hits
        bar = self._ensure_bar()
        if bar is None:
            return
        if self.planned is not None:
            bar.total = max(bar.total - hits, bar.n + to_encode)
        bar.set_postfix_str(f"cache hits {self.hits}")

    def advance(self, rows: int) -> None:
        """`rows` texts (pairs) were just encoded."""
        if self._bar is not None:
            self._bar.update(rows)

    @contextmanager
    def call(self, rows: int) -> Iterator[None]:
        """One encode call of `rows` texts (pairs). The engine advances the bar batch by batch;
        what an adapter does not report that way (the hash model, your own class) counts when
        the call returns. A call that raises adds nothing."""
        start = self._bar.n if self._bar is not None else 0
        yield
        if self._bar is not None and self._bar.n < start + rows:
            self.advance(start + rows - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
