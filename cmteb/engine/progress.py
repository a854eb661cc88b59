"""One progress bar per task: texts encoded, texts/s, cache hits. Quiet when not a terminal.

The bar counts the distinct texts the task has to encode and advances as each batch finishes,
so its rate is the encoder's real texts/s; texts found in the cache are shown beside it. A
cross-encoder's bar counts (query, passage) pairs instead (`unit="pairs"`).
"""

from __future__ import annotations

import sys
from typing import Any


class TaskProgress:
    def __init__(self, task: str, *, unit: str = "texts", enabled: bool = True, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.unit = unit
        self.enabled = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.task = task
        self.hits = 0
        self._bar: Any = None

    def _ensure_bar(self) -> Any:
        if self._bar is None and self.enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=0, desc=self.task, unit=" " + self.unit, file=self.stream, leave=True,
                             dynamic_ncols=True)
        return self._bar

    def expect(self, to_encode: int, hits: int) -> None:
        """`to_encode` more distinct texts (pairs) will be encoded; `hits` more came from the cache."""
        self.hits += hits
        bar = self._ensure_bar()
        if bar is not None:
            bar.total += to_encode
            bar.set_postfix_str(f"cache hits {self.hits}")

    def advance(self, rows: int) -> None:
        """`rows` texts (pairs) were just encoded."""
        if self._bar is not None:
            self._bar.update(rows)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
