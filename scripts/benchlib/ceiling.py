"""The forward-only ceiling: the model's forward pass alone over the texts cmteb encoded,
pre-tokenized, length-sorted and batched exactly as cmteb's engine batches them (same token
budget and row cap); tokenization and padding happen before the clock starts."""

from __future__ import annotations

import time

import numpy as np

from benchlib.rss import cpu_seconds
from cmteb.engine.batching import length_order, plan_batches
from cmteb.engine.devices import CPU_TOKEN_BUDGET


def forward_seconds(st_model, texts: list[str], batch_size: int, token_budget: int = CPU_TOKEN_BUDGET
                    ) -> tuple[float, float]:
    """(wall, CPU) seconds of `st_model`'s forward passes over `texts` (module docstring)."""
    import torch

    if not texts:
        return 0.0, 0.0
    ids = st_model.tokenizer(texts, truncation=True, max_length=st_model.max_seq_length)["input_ids"]
    lengths = np.asarray([len(x) for x in ids])
    order = length_order(lengths)
    batches = [st_model.preprocess([texts[i] for i in order[start:end]])
               for start, end in plan_batches(lengths[order], token_budget, batch_size)]
    with torch.inference_mode():
        start, cpu = time.perf_counter(), cpu_seconds()
        for features in batches:
            st_model(features)["sentence_embedding"].float().cpu().numpy()
        return time.perf_counter() - start, cpu_seconds() - cpu
