"""sentence-transformers adapter on the encoding engine: a hub name or a local folder.

The model's tokenizer and forward pass form a `TokenBackend`, so the engine's token-budget
batching, OOM back-off and device handling apply. The texts arrive with cmteb's prefixes and
instruction already applied, so no sentence-transformers prompt is used. Output: float32
(n, dim), L2-normalised when `normalize` is set (the model's own Normalize module, if any, runs
either way). The one tokenization that sizes the batches also counts the texts cut at the max
length (`take_encoding_report`). Several devices (`cuda:0,1`) -> one worker process per device,
each with its own copy of the model; this process then only tokenizes (for batching).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cmteb.engine.devices import configure_cpu_threads, default_token_budget, parse_devices
from cmteb.engine.placement import place
from cmteb.engine.precision import apply_precision, forward_context
from cmteb.models.contract import Role
from cmteb.models.truncation import TruncationCounter, full_lengths
from cmteb.tasks.spec import TaskSpec


@dataclass(frozen=True)
class STModelSpec:
    """Everything needed to load the model again in a worker process (picklable)."""

    name_or_path: str
    revision: str | None = None
    max_length: int | None = None
    normalize: bool = True
    dtype: str = "fp32"

    def load(self, device: str) -> SentenceTransformerBackend:
        import torch
        from sentence_transformers import SentenceTransformer

        if device == "cpu":
            configure_cpu_threads()
        model = SentenceTransformer(self.name_or_path, revision=self.revision, device=device,
                                    model_kwargs={"dtype": torch.float32})
        apply_precision(model, self.dtype)
        if self.max_length is not None:
            model.max_seq_length = self.max_length
        model.eval()
        return SentenceTransformerBackend(model, self.normalize, device, self.dtype)

    def token_counter(self) -> TokenCounter:
        """Tokenizer-only backend for the parent process of a multi-device pool."""
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(self.name_or_path, revision=self.revision)
        return TokenCounter(tokenizer, self.max_length or _configured_max_length(self.name_or_path)
                            or tokenizer.model_max_length)


def _configured_max_length(name_or_path: str) -> int | None:
    config = Path(name_or_path) / "sentence_bert_config.json"
    if not config.is_file():
        return None
    return json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")


class TokenCounter:
    """token_lengths only: truncated token counts, special tokens included. The same single
    tokenization counts the texts cut at the max length (`truncation`)."""

    def __init__(self, tokenizer: object, max_length: int) -> None:
        self.tokenizer = tokenizer
        self.max_length = int(max_length)
        self.truncation = TruncationCounter(self.max_length)

    def token_lengths(self, texts: list[str]) -> list[int]:
        return self.truncation.truncated(full_lengths(self.tokenizer, texts))  # type: ignore[arg-type]


class SentenceTransformerBackend(TokenCounter):
    """TokenBackend over a loaded SentenceTransformer on one device."""

    def __init__(self, model: object, normalize: bool, device: str, dtype: str = "fp32") -> None:
        super().__init__(model.tokenizer, model.max_seq_length or model.tokenizer.model_max_length)  # type: ignore[attr-defined]
        self.model = model
        self.normalize = normalize
        self.device = device
        self.dtype = dtype
        self.token_budget = default_token_budget(device)

    def forward(self, texts: list[str]) -> np.ndarray:
        import torch
        from sentence_transformers.util import batch_to_device

        features = batch_to_device(self.model.preprocess(texts), self.device)  # type: ignore[attr-defined]
        with forward_context(self.device, self.dtype):
            emb = self.model(features)["sentence_embedding"].float()  # type: ignore[operator]
        if self.normalize:
            emb = torch.nn.functional.normalize(emb, p=2, dim=1)
        return emb.cpu().numpy()


class SentenceTransformerEncoder:
    def __init__(
        self,
        name_or_path: str,
        *,
        revision: str | None = None,
        device: str = "cpu",
        max_length: int | None = None,
        normalize: bool = True,
        dtype: str = "fp32",
        devices: list[str] | None = None,
    ) -> None:
        """`devices` overrides `device` with an explicit list (tests use ["cpu", "cpu"]: CPU
        worker processes standing in for GPUs)."""
        self.spec = STModelSpec(name_or_path, revision, max_length, normalize, dtype)
        self.placement = place(self.spec.load, self.spec.token_counter, devices or parse_devices(device))
        self.backend: TokenCounter = self.placement.backend

    @property
    def max_length(self) -> int | None:
        return self.backend.max_length

    @property
    def tokenizer(self) -> object:
        """The model's tokenizer (in this process also when the model runs in worker processes)."""
        return self.backend.tokenizer

    def encode(self, texts: list[str], *, role: Role, task: TaskSpec, batch_size: int) -> np.ndarray:
        return self.placement.encode(texts, batch_size=batch_size)

    def take_encoding_report(self) -> dict[str, Any]:
        """Texts cut at the max length since the last call (`cmteb.models.truncation`)."""
        return {"truncation": self.backend.truncation.take()}

    def close(self) -> None:
        """Stop the worker processes (multi-device only)."""
        self.placement.close()
