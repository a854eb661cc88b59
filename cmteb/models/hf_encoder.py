"""Plain transformers adapter: `AutoModel` + explicit pooling, as a `TokenBackend` for the engine.

`TransformersBackend` owns the tokenizer and the forward pass; `TransformersEncoder.encode` hands
the texts to `cmteb.engine.backend.encode_texts`, which decides the batches. Policy:
- tokenization: special tokens added, truncation at `max_length` tokens (`append_eos`: the EOS token
  is appended after truncation at `max_length - 1`, so it always survives; a tokenizer that already
  ends every text with it, e.g. through a TemplateProcessing post-processor, gets no second one);
- padding: right, except `last` pooling, which pads on the left (as gte-Qwen2's model card); a
  left-padded batch gets position ids counted from each text's first real token, so a text is
  embedded exactly as if unpadded (RoBERTa-family models already count positions that way);
- forward in fp32, or mixed precision for fp16 / bf16 (`cmteb.engine.precision`); pooling and L2
  normalization in float32;
- output float32 (n, dim);
- several devices (`cuda:0,1`): one worker process per device, each with its own copy of the
  model (`cmteb.engine.placement`); this process then loads only the tokenizer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np

from cmteb.engine.devices import parse_devices
from cmteb.engine.placement import place
from cmteb.engine.precision import forward_context, load_model
from cmteb.models.contract import Role
from cmteb.models.pooling import pool
from cmteb.models.truncation import TruncationCounter, full_lengths
from cmteb.tasks.spec import TaskSpec

_SANE_MAX_LENGTH = 1_000_000  # tokenizers without a limit report ~1e30
_OWN_POSITIONS = ("roberta", "xlm-roberta", "camembert")  # derive positions from the padding


@dataclass(frozen=True)
class HFSettings:
    """How to load and run one checkpoint; `max_length` None = the tokenizer's own limit."""

    pooling: str
    normalize: bool = True
    max_length: int | None = None
    dtype: str = "fp32"
    device: str = "cpu"
    revision: str | None = None
    append_eos: bool = False


def default_max_length(tokenizer: Any, config: Any) -> int:
    """The tokenizer's model_max_length when set, else the model's position limit."""
    limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(limit, int) and 0 < limit < _SANE_MAX_LENGTH:
        return limit
    positions = getattr(config, "max_position_embeddings", None) or 512
    offset = 2 if getattr(config, "model_type", "") in ("roberta", "xlm-roberta", "camembert") else 0
    return int(positions) - offset


class TransformersBackend:
    """`TokenBackend` over one AutoModel checkpoint (see module docstring for the policy);
    `with_model=False`: the tokenizer only (token lengths for a multi-device pool's batches)."""

    def __init__(self, name_or_path: str, settings: HFSettings, *, with_model: bool = True) -> None:
        from transformers import AutoConfig, AutoModel, AutoTokenizer

        self.settings = settings
        self.device = settings.device
        self.tokenizer = AutoTokenizer.from_pretrained(name_or_path, revision=settings.revision)
        self.tokenizer.padding_side = "left" if settings.pooling == "last" else "right"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if with_model:
            self.model = load_model(AutoModel, name_or_path, revision=settings.revision,
                                    device=settings.device, dtype=settings.dtype)
            config = self.model.config
        else:
            config = AutoConfig.from_pretrained(name_or_path, revision=settings.revision)
        self.max_length = settings.max_length or default_max_length(self.tokenizer, config)
        self.truncation = TruncationCounter(self.max_length)
        ends_with_eos = self.tokenizer("a")["input_ids"][-1:] == [self.tokenizer.eos_token_id]
        self.eos_added = int(settings.append_eos and not ends_with_eos)  # EOS tokens cmteb appends

    def _ids(self, texts: list[str]) -> list[list[int]]:
        eos = self.eos_added
        ids = self.tokenizer(texts, add_special_tokens=True, truncation=True,
                             max_length=self.max_length - eos, verbose=False)["input_ids"]
        if eos:
            ids = [row + [self.tokenizer.eos_token_id] for row in ids]
        return ids

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Lengths after truncation, from one untruncated tokenization that is also counted."""
        return self.truncation.truncated(full_lengths(self.tokenizer, texts, self.eos_added))

    def forward(self, texts: list[str]) -> np.ndarray:
        import torch

        batch = self.tokenizer.pad({"input_ids": self._ids(texts)}, padding=True,
                                   return_tensors="pt")
        if self.tokenizer.padding_side == "left" and self.model.config.model_type not in _OWN_POSITIONS:
            batch["position_ids"] = (batch["attention_mask"].cumsum(dim=1) - 1).clamp(min=0)
        batch = {k: v.to(self.settings.device) for k, v in batch.items()}
        with forward_context(self.settings.device, self.settings.dtype):
            states = self.model(**batch).last_hidden_state.float()
            vectors = pool(states, batch["attention_mask"], self.settings.pooling)
            if self.settings.normalize:
                vectors = torch.nn.functional.normalize(vectors, p=2, dim=-1)
        return vectors.cpu().numpy().astype(np.float32, copy=False)


def load_backend(name_or_path: str, settings: HFSettings, device: str) -> TransformersBackend:
    """The backend on `device` (picklable as a `partial`: worker processes call it)."""
    return TransformersBackend(name_or_path, replace(settings, device=device))


class TransformersEncoder:
    """Encoder contract over `TransformersBackend`; batching is the engine's (`encode_texts`).
    `devices` overrides `settings.device` (tests: ["cpu", "cpu"] stand in for two GPUs)."""

    def __init__(self, name_or_path: str, settings: HFSettings, *, devices: list[str] | None = None) -> None:
        self.placement = place(partial(load_backend, name_or_path, settings),
                               partial(TransformersBackend, name_or_path, settings, with_model=False),
                               devices or parse_devices(settings.device))
        self.backend: TransformersBackend = self.placement.backend

    def encode(self, texts: list[str], *, role: Role, task: TaskSpec, batch_size: int) -> np.ndarray:
        return self.placement.encode(texts, batch_size=batch_size)

    def take_encoding_report(self) -> dict[str, Any]:
        return {"truncation": self.backend.truncation.take()}
