"""How far bf16 policies move embeddings from fp32, and how fast they run (forward only).

    python scripts/bf16_policies.py --model ./me5-small-hf --data DATA   # 4,000 texts, ~2 min
    python scripts/bf16_policies.py --model ./me5-small-hf --data DATA --texts 1000 --policies mixed,whole

Texts: the distinct sentences of AFQMC and Ocnli validation in `--data` (cmteb's local layout),
with the e5 query prefix, tokenized once, length-sorted, in batches of at most 4,096 padded
tokens (cmteb's CPU default). Policies:
- `mixed`: cmteb's `--dtype bf16` (`cmteb.engine.precision`: linear layers in bf16 under autocast);
- `whole`: the whole model cast to bf16 (pooling still in fp32);
- `mixed-lastK`: `mixed` with the last K transformer layers left in fp32.
Mean pooling and L2 normalisation in fp32, as cmteb does for e5. Prints per policy: seconds and
speed against fp32, mean and max of 1 - cosine(embedding, fp32 embedding), and the mean and 99th
percentile of |change| in the cosine similarity of 20,000 random text pairs (seeded).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cmteb.engine.precision import apply_precision, forward_context

ROOT = Path(__file__).resolve().parents[1]
TOKEN_BUDGET, MAX_ROWS, PAIRS = 4096, 256, 20_000


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=os.environ.get("CMTEB_BENCH_MODEL"),
                   required="CMTEB_BENCH_MODEL" not in os.environ, metavar="DIR",
                   help="Hugging Face checkpoint folder (default: $CMTEB_BENCH_MODEL)")
    p.add_argument("--data", type=Path, default=os.environ.get("CMTEB_BENCH_DATA"),
                   required="CMTEB_BENCH_DATA" not in os.environ, metavar="DIR",
                   help="local-layout data holding AFQMC and Ocnli validation splits "
                        "(default: $CMTEB_BENCH_DATA)")
    p.add_argument("--texts", type=int, default=4000, help="first N distinct texts (sorted)")
    p.add_argument("--policies", default="mixed,whole,mixed-last1,mixed-last2")
    return p.parse_args()


def load_texts(data: Path, limit: int) -> list[str]:
    texts: set[str] = set()
    for task in ("AFQMC", "Ocnli"):
        for line in (data / task / "validation.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts.update(t for t in (row.get("sentence1"), row.get("sentence2")) if t)
    return ["query: " + t for t in sorted(texts)[:limit]]


def batches(tokenizer, texts: list[str]) -> list[tuple[list[int], dict]]:
    """[(positions, padded tensors)] longest first, within the token budget and row cap."""
    ids = tokenizer(texts, truncation=True, max_length=512)["input_ids"]
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
    out, start = [], 0
    while start < len(order):
        rows = max(1, min(MAX_ROWS, TOKEN_BUDGET // len(ids[order[start]])))
        part = order[start : start + rows]
        out.append((part, tokenizer.pad({"input_ids": [ids[i] for i in part]}, return_tensors="pt")))
        start += rows
    return out


def embed(model, context, padded, n: int) -> tuple[np.ndarray, float]:
    out = np.zeros((n, model.config.hidden_size), dtype=np.float32)
    start = time.perf_counter()
    with context():
        for positions, batch in padded:
            states = model(**batch).last_hidden_state.float()
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (states * mask).sum(1) / mask.sum(1)
            out[positions] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
    return out, time.perf_counter() - start


def with_policy(load, name: str):
    """(model, context factory) for policy `name` (module docstring)."""
    model = load()
    if name == "fp32":
        return model, lambda: forward_context("cpu", "fp32")
    if name == "whole":
        return model.to(torch.bfloat16), torch.inference_mode
    if name == "mixed":
        return apply_precision(model, "bf16"), lambda: forward_context("cpu", "bf16")
    if name.startswith("mixed-last"):
        keep = model.encoder.layer[-int(name.removeprefix("mixed-last")):]
        kept = {id(m) for layer in keep for m in layer.modules()}
        for module in model.modules():
            if isinstance(module, torch.nn.Linear) and id(module) not in kept:
                module.to(torch.bfloat16)
        for layer in keep:
            layer.forward = _without_autocast(layer.forward)
        return model, lambda: forward_context("cpu", "bf16")
    raise SystemExit(f"unknown policy {name!r}")


def _without_autocast(forward):
    def run(*args, **kwargs):
        with torch.autocast("cpu", enabled=False):
            return forward(*args, **kwargs)
    return run


def main() -> int:
    from transformers import AutoModel, AutoTokenizer

    args = parse_args()
    texts = load_texts(args.data, args.texts)
    padded = batches(AutoTokenizer.from_pretrained(args.model), texts)

    def load():
        return AutoModel.from_pretrained(args.model, dtype=torch.float32).eval()

    model, context = with_policy(load, "fp32")
    embed(model, context, padded[-1:], len(texts))  # warm-up
    reference, base = embed(model, context, padded, len(texts))
    print(f"{len(texts)} texts, {len(padded)} batches, {torch.get_num_threads()} threads; fp32 {base:.1f}s")
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, len(texts), PAIRS), rng.integers(0, len(texts), PAIRS)
    ref_sims = (reference[a] * reference[b]).sum(1)
    for name in args.policies.split(","):
        model, context = with_policy(load, name)
        embed(model, context, padded[-1:], len(texts))  # warm-up
        emb, seconds = embed(model, context, padded, len(texts))
        gap = 1 - (emb * reference).sum(1)
        change = np.abs((emb[a] * emb[b]).sum(1) - ref_sims)
        print(f"{name}: {seconds:.1f}s ({base / seconds:.2f}x fp32)  1-cos mean {gap.mean():.1e} "
              f"max {gap.max():.1e}  pair-similarity change mean {change.mean():.1e} "
              f"p99 {np.quantile(change, 0.99):.1e}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
