"""Qwen3-Reranker: a causal LM's "yes" probability for a (query, passage) pair, as a pair scorer.

It fits cmteb's cross-encoder contract (`predict(pairs) -> one score per pair, higher = more
relevant`): the score is a function of the pair alone. Policy, as the Qwen3-Reranker model card's
transformers example (QwenLM/Qwen3-Embedding examples/qwen3_reranker_transformers.py), which the
pinned mteb copies in `mteb/models/model_implementations/qwen3_reranker.py`:
- text: `<Instruct>: {instruction}\\n<Query>: {query}\\n<Document>: {passage}`, with the instruction
  `Given the user query, retrieval the relevant passages` (mteb's and the authors' evaluation
  default when a task gives none, as C-MTEB's do); tokenized with the tokenizer's own special
  tokens, cut at `max_length` minus the chat-template tokens, then wrapped in the template's
  system/user prefix and assistant suffix tokens;
- batches padded on the left (pad = the EOS token) with position ids counted from each pair's
  first real token, so a pair scores the same in any batch;
- score: softmax over the last position's logits of the tokens "no" and "yes" -> P(yes), in float32.

Batching is the engine's, as for `cross_encoder.CrossEncoderScorer`: each pair travels as one
string `query + PAIR_SEP + passage`.
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
from cmteb.models.cross_encoder import CrossEncoderScorer, split_pairs
from cmteb.models.truncation import TruncationCounter

INSTRUCTION = "Given the user query, retrieval the relevant passages"
PREFIX = ("<|im_start|>system\nJudge whether the Document meets the requirements based on the Query "
          'and the Instruct provided. Note that the answer can only be "yes" or "no".<|im_end|>\n'
          "<|im_start|>user\n")
SUFFIX = "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"
DEFAULT_MAX_LENGTH = 8192


@dataclass(frozen=True)
class Qwen3RerankerSettings:
    max_length: int = DEFAULT_MAX_LENGTH
    instruction: str = INSTRUCTION
    dtype: str = "fp32"
    device: str = "cpu"
    revision: str | None = None

    def record(self) -> dict[str, Any]:
        return {"max_length": self.max_length, "dtype": self.dtype, "instruction": self.instruction,
                "input": "Qwen3-Reranker chat template, left padding", "score": "P(yes)"}


def pair_text(instruction: str, query: str, passage: str) -> str:
    return f"<Instruct>: {instruction}\n<Query>: {query}\n<Document>: {passage}"


class Qwen3RerankerBackend:
    """`TokenBackend` whose texts are joined pairs; `forward` returns (n, 1) float32 P(yes).
    `with_model=False`: the tokenizer only (token lengths for a multi-device pool's batches)."""

    def __init__(self, name_or_path: str, settings: Qwen3RerankerSettings, *,
                 with_model: bool = True) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.settings = settings
        self.device = settings.device
        self.tokenizer = AutoTokenizer.from_pretrained(name_or_path, revision=settings.revision,
                                                       padding_side="left")
        self.tokenizer.pad_token = self.tokenizer.eos_token
        self.prefix = self.tokenizer.encode(PREFIX, add_special_tokens=False)
        self.suffix = self.tokenizer.encode(SUFFIX, add_special_tokens=False)
        self.body_length = settings.max_length - len(self.prefix) - len(self.suffix)
        if self.body_length < 1:
            raise UserError(f"model {name_or_path!r}: max length {settings.max_length} leaves no room "
                            f"inside the reranker's template ({len(self.prefix) + len(self.suffix)} tokens)")
        self.yes, self.no = (self.tokenizer.convert_tokens_to_ids(t) for t in ("yes", "no"))
        self.truncation = TruncationCounter(settings.max_length)
        if not with_model:
            return
        self.model = load_model(AutoModelForCausalLM, name_or_path, revision=settings.revision,
                                device=settings.device, dtype=settings.dtype)

    def _bodies(self, texts: list[str], *, truncate: bool) -> list[list[int]]:
        queries, passages = split_pairs(texts)
        formatted = [pair_text(self.settings.instruction, q, p)
                     for q, p in zip(queries, passages, strict=True)]
        return self.tokenizer(formatted, truncation=truncate,
                              max_length=self.body_length if truncate else None, verbose=False)["input_ids"]

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Lengths after truncation, from one untruncated tokenization that is also counted."""
        extra = len(self.prefix) + len(self.suffix)
        return self.truncation.truncated([len(ids) + extra for ids in self._bodies(texts, truncate=False)])

    def forward(self, texts: list[str]) -> np.ndarray:
        import torch

        ids = [self.prefix + body + self.suffix for body in self._bodies(texts, truncate=True)]
        batch = self.tokenizer.pad({"input_ids": ids}, padding=True, return_tensors="pt")
        batch["position_ids"] = (batch["attention_mask"].cumsum(dim=1) - 1).clamp(min=0)
        batch = {k: v.to(self.settings.device) for k, v in batch.items()}
        with forward_context(self.settings.device, self.settings.dtype):
            last = self.model(**batch).logits[:, -1, :].float()
        pair = torch.stack([last[:, self.no], last[:, self.yes]], dim=1)
        yes = torch.nn.functional.log_softmax(pair, dim=1)[:, 1].exp()
        return yes.unsqueeze(1).cpu().numpy().astype(np.float32, copy=False)


def load_backend(name_or_path: str, settings: Qwen3RerankerSettings, device: str) -> Qwen3RerankerBackend:
    """The backend on `device` (picklable as a `partial`: worker processes call it)."""
    return Qwen3RerankerBackend(name_or_path, replace(settings, device=device))


class Qwen3RerankerScorer(CrossEncoderScorer):
    """Pair-scorer contract: `predict(pairs, *, task, batch_size) -> float32 (n,)` P(yes); pairs,
    batching and the truncation report as `CrossEncoderScorer`, over `Qwen3RerankerBackend`."""

    def __init__(self, name_or_path: str, settings: Qwen3RerankerSettings, *,
                 devices: list[str] | None = None) -> None:
        self.placement = place(partial(load_backend, name_or_path, settings),
                               partial(Qwen3RerankerBackend, name_or_path, settings, with_model=False),
                               devices or parse_devices(settings.device))
        self.backend: Qwen3RerankerBackend = self.placement.backend  # type: ignore[assignment]
