"""What `--dtype fp16|bf16` means for a torch model: mixed precision, not a half-precision model.

Policy: the model is loaded in float32; the weights of its linear layers (`torch.nn.Linear`,
nearly all of a transformer's arithmetic) are then cast to the half dtype, and every forward runs
under `torch.autocast` with that dtype. Matrix products run at half-precision speed, while
autocast keeps layer norms, softmax and the residual stream (a float32 input plus a half
output adds up in float32) in float32. Pooling, normalization and every score stay float32.

Why: it is half as far from fp32 as casting the whole model to bf16, at 80-100% of its speed.
On multilingual-e5-small (docs/benchmarks.md, "Precision policies"): mean |change| of pair cosine
similarities 1.8e-4 against 3.8e-4; forward speed 2.7-2.8x fp32 against 3.4-3.6x on a 2-core
CPU with AMX, 1.9-2.2x against 1.9-2.4x on one with AVX512-BF16 only
(`scripts/bf16_policies.py`); AFQMC / QBQTC retrieval scores +0.006 / +0.020 points from fp32
against -0.053 / +0.067 (whole model in bf16, pooling in fp32). `fp32` leaves the model untouched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from cmteb.engine.devices import configure_cpu_threads

TORCH_DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}


def torch_dtype(dtype: str) -> Any:
    """`fp32|fp16|bf16` -> the torch dtype."""
    import torch

    return getattr(torch, TORCH_DTYPES[dtype])


def apply_precision(model: Any, dtype: str) -> Any:
    """Cast `model`'s linear layers to `dtype` in place (policy above); returns `model`."""
    import torch

    if dtype != "fp32":
        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                module.to(torch_dtype(dtype))
    return model


def load_model(auto_class: Any, name_or_path: str, *, revision: str | None, device: str,
               dtype: str) -> Any:
    """`auto_class.from_pretrained(name_or_path)` (a transformers Auto class) loaded in float32, in
    eval mode on `device`, with `dtype`'s precision applied (policy above); on CPU the torch
    threads are configured first (`cmteb.engine.devices.configure_cpu_threads`)."""
    import torch

    if device == "cpu":
        configure_cpu_threads()
    model = auto_class.from_pretrained(name_or_path, revision=revision, dtype=torch.float32)
    return apply_precision(model.eval().to(device), dtype)


@contextlib.contextmanager
def forward_context(device: str, dtype: str) -> Iterator[None]:
    """Inference mode, plus autocast to `dtype` on `device`'s type for fp16/bf16."""
    import torch

    autocast = (torch.autocast(torch.device(device).type, dtype=torch_dtype(dtype))
                if dtype != "fp32" else contextlib.nullcontext())
    with torch.inference_mode(), autocast:
        yield
