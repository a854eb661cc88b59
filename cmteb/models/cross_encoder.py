"""Cross-encoder rerankers: `AutoModelForSequenceClassification` scoring [query, passage] pairs.

Policy (as FlagEmbedding's reranker and sentence-transformers' CrossEncoder): the pair is
tokenized as one input (`[CLS] query [SEP] passage [SEP]`), truncated longest-first at
`max_length` (512 by default), and the score is the raw logit of the model's single label (no
sigmoid: ranking metrics only need the order). A model with several labels is refused.

Batching is the engine's: each pair travels through `encode_texts` as one string
`query + PAIR_SEP + passage` (PAIR_SEP = U+001F, the ASCII unit separator, which is refused in
texts), so token-budget batching, OOM backoff and several devices (one worker process each,
`cmteb.engine.placement`) apply to pairs as to single texts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np

from cmteb.engine.devices import parse_devices
from cmteb.engine.placement import place
from cmteb.engine.precision import forward_context, load_model
from cmteb.errors import UserError
from cmteb.models.truncation import TruncationCounter, pair_lengths
from cmteb.tasks.spec import TaskSpec

PAIR_SEP = "\x1f"
DEFAULT_MAX_LENGTH = 512


@dataclass(frozen=True)
class CrossEncoderSettings:
    max_length: int = DEFAULT_MAX_LENGTH
    dtype: str = "fp32"
    device: str = "cpu"
    revision: str | None = None


def split_pairs(texts: list[str]) -> tuple[list[str], list[str]]:
    """Joined `query + PAIR_SEP + passage` texts -> (queries, passages), in input order."""
    firsts, seconds = zip(*(t.split(PAIR_SEP, 1) for t in texts), strict=True)
    return list(firsts), list(seconds)


class CrossEncoderBackend:
    """`TokenBackend` whose texts are joined pairs; `forward` returns (n, 1) float32 logits.
    `with_model=False`: the tokenizer only (token lengths for a multi-device pool's batches).
    The one tokenization that sizes the batches also counts the pairs cut at the max length."""

    def __init__(self, name_or_path: str, settings: CrossEncoderSettings, *, with_model: bool = True) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.settings = settings
        self.device = settings.device
        self.tokenizer = AutoTokenizer.from_pretrained(name_or_path, revision=settings.revision)
        self.truncation = TruncationCounter(settings.max_length)
        if not with_model:
            return
        self.model = load_model(AutoModelForSequenceClassification, name_or_path,
                                revision=settings.revision, device=settings.device, dtype=settings.dtype)
        if self.model.config.num_labels != 1:
            raise UserError(f"model {name_or_path!r}: a cross-encoder reranker must have one output "
                            f"label, this one has {self.model.config.num_labels}")

    def _batch(self, texts: list[str], **kwargs: Any) -> Any:
        firsts, seconds = split_pairs(texts)
        return self.tokenizer(firsts, seconds, truncation=True, max_length=self.settings.max_length,
                              verbose=False, **kwargs)

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Lengths after truncation, from one untruncated tokenization that is also counted."""
        return self.truncation.truncated(pair_lengths(self.tokenizer, *split_pairs(texts)))

    def forward(self, texts: list[str]) -> np.ndarray:

        batch = self._batch(texts, padding=True, return_tensors="pt")
        batch = {k: v.to(self.settings.device) for k, v in batch.items()}
        with forward_context(self.settings.device, self.settings.dtype):
            logits = self.model(**batch).logits.float()
        return logits.cpu().numpy().astype(np.float32, copy=False)


def load_backend(name_or_path: str, settings: CrossEncoderSettings, device: str) -> CrossEncoderBackend:
    """The backend on `device` (picklable as a `partial`: worker processes call it)."""
    return CrossEncoderBackend(name_or_path, replace(settings, device=device))


class CrossEncoderScorer:
    """Pair-scorer contract: `predict(pairs, *, task, batch_size) -> float32 (n,)` raw logits.
    `devices` overrides `settings.device` (tests: ["cpu", "cpu"] stand in for two GPUs)."""

    def __init__(self, name_or_path: str, settings: CrossEncoderSettings, *,
                 devices: list[str] | None = None) -> None:
        self.placement = place(partial(load_backend, name_or_path, settings),
                               partial(CrossEncoderBackend, name_or_path, settings, with_model=False),
                               devices or parse_devices(settings.device))
        self.backend: CrossEncoderBackend = self.placement.backend

    def predict(self, pairs: list[tuple[str, str]], *, task: TaskSpec, batch_size: int) -> np.ndarray:
        if any(PAIR_SEP in q or PAIR_SEP in p for q, p in pairs):
            raise UserError(f"task {task.name}: a text contains U+001F, which cmteb reserves")
        joined = [q + PAIR_SEP + p for q, p in pairs]
        return self.placement.encode(joined, batch_size=batch_size)[:, 0]

    def take_encoding_report(self) -> dict[str, Any]:
        return {"truncation": self.backend.truncation.take()}
