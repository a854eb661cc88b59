"""Token-budget batching over length-sorted texts.

Texts are sorted by token length, longest first (`length_order`), so a batch is a run of
consecutive sorted texts whose padded size `rows x longest` stays within the token budget and
whose row count stays within `max_rows`. The longest texts come first, so an out-of-memory
batch shows up at once, not at the end of a long run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Most texts per batch unless --batch-size says otherwise: high enough that the token budget
# decides for short texts (on CPU, 128+ short texts per batch cost about half the CPU time of
# 32 per batch: measured with scripts/bench_vs_mteb.py's ceiling on this model).
DEFAULT_BATCH_SIZE = 256


def length_order(lengths: Sequence[int] | np.ndarray) -> np.ndarray:
    """Positions of `lengths` sorted longest first; equal lengths keep input order (stable)."""
    return np.argsort(-np.asarray(lengths, dtype=np.int64), kind="stable")


def batch_end(sorted_lengths: Sequence[int], start: int, token_budget: int, max_rows: int) -> int:
    """End (exclusive) of the batch starting at `start` of longest-first `sorted_lengths`: as many
    rows as fit `rows * sorted_lengths[start] <= token_budget`, at least 1, at most `max_rows`."""
    longest = max(int(sorted_lengths[start]), 1)
    rows = max(1, min(max_rows, token_budget // longest))
    return min(start + rows, len(sorted_lengths))


def plan_batches(sorted_lengths: Sequence[int], token_budget: int, max_rows: int) -> list[tuple[int, int]]:
    """[(start, end)] slices covering longest-first `sorted_lengths` (see `batch_end`)."""
    slices, start = [], 0
    while start < len(sorted_lengths):
        end = batch_end(sorted_lengths, start, token_budget, max_rows)
        slices.append((start, end))
        start = end
    return slices
