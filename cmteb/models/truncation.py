"""Counting the texts an adapter cuts at its max length, reported once per task.

Policy: a text counts as cut when its token count with special tokens (and an appended EOS, for
models that add one) exceeds the max length. Every distinct model-input string passed to
`encode`/`predict` is counted. Texts served from cmteb's embedding cache never reach the adapter,
so `texts` counts the texts the model embedded in this run (`cmteb.encoding.encoded` for
bi-encoders). `take()` returns the counts since the previous call and resets them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


class TruncationCounter:
    def __init__(self, max_length: int | None) -> None:
        self.max_length = max_length
        self.texts = 0
        self.cut = 0

    def add(self, lengths: Sequence[int]) -> None:
        """Record full (untruncated) token counts of a batch of texts."""
        self.texts += len(lengths)
        if self.max_length is not None:
            self.cut += sum(n > self.max_length for n in lengths)

    def truncated(self, lengths: Sequence[int]) -> list[int]:
        """Record full token counts (`add`) and return them cut at the max length: what the
        tokenizer gives with truncation on (special tokens included; for pairs, longest-first)."""
        self.add(lengths)
        return [int(n) if self.max_length is None else min(int(n), self.max_length) for n in lengths]

    def take(self) -> dict[str, Any]:
        """{'max_length', 'texts', 'texts_cut', 'share_cut'} since the last call; then reset."""
        report = {"max_length": self.max_length, "texts": self.texts, "texts_cut": self.cut,
                  "share_cut": round(self.cut / self.texts, 6) if self.texts else 0.0}
        self.texts = self.cut = 0
        return report


def full_lengths(tokenizer: Callable[..., Any], texts: list[str], extra: int = 0) -> list[int]:
    """Token counts of `texts` with special tokens and without truncation (+ `extra` each)."""
    ids = tokenizer(texts, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
    return [len(row) + extra for row in ids]


def pair_lengths(tokenizer: Callable[..., Any], firsts: list[str], seconds: list[str]) -> list[int]:
    """Token counts of (firsts[i], seconds[i]) as one cross-encoder input, without truncation."""
    ids = tokenizer(firsts, seconds, add_special_tokens=True, truncation=False, verbose=False)
    return [len(row) for row in ids["input_ids"]]
