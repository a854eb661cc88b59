"""Tiny randomly initialised decoder models of the real architectures, written by the tests.

`make_tiny_decoder(folder, arch)` writes a seeded 2-layer Qwen3 or Qwen2 checkpoint (config,
safetensors) and a byte-level BPE tokenizer without merges (one token per UTF-8 byte, as Qwen's own
byte-level BPE falls back to) with Qwen's special tokens, which transformers loads offline.
`eos_template=True` gives the tokenizer a TemplateProcessing post-processor that appends
`<|endoftext|>` to every text, as Qwen3-Embedding's and gte-Qwen2's tokenizers do; its `eos_token`
is `eos` (Qwen3-Embedding: `<|im_end|>`, gte-Qwen2: `<|endoftext|>`).
"""

from __future__ import annotations

from pathlib import Path

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
WORDS = ["yes", "no"]  # the reranker's answer tokens (never produced without merges)


def vocabulary() -> list[str]:
    from tokenizers import pre_tokenizers

    return SPECIALS + WORDS + sorted(pre_tokenizers.ByteLevel.alphabet())


def write_tokenizer(folder: Path, *, eos: str, eos_template: bool) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate(vocabulary())}
    tok = Tokenizer(models.BPE(vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    if eos_template:
        tok.post_processor = processors.TemplateProcessing(
            single="$A <|endoftext|>", special_tokens=[("<|endoftext|>", vocab["<|endoftext|>"])])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=eos, pad_token="<|endoftext|>",
                                   additional_special_tokens=SPECIALS)
    fast.save_pretrained(folder)


def make_tiny_decoder(folder: Path, *, arch: str = "qwen3", causal_lm: bool = False, eos: str = "<|im_end|>",
                      eos_template: bool = True, seed: int = 0) -> Path:
    """Write a seeded tiny `Qwen3Model`/`Qwen2Model` (or its `...ForCausalLM`) + tokenizer."""
    import torch
    import transformers

    folder.mkdir(parents=True, exist_ok=True)
    write_tokenizer(folder, eos=eos, eos_template=eos_template)
    prefix = {"qwen3": "Qwen3", "qwen2": "Qwen2"}[arch]
    config = getattr(transformers, f"{prefix}Config")(
        vocab_size=len(vocabulary()), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, head_dim=8, max_position_embeddings=512,
        tie_word_embeddings=False)
    torch.manual_seed(seed)
    cls = getattr(transformers, f"{prefix}ForCausalLM" if causal_lm else f"{prefix}Model")
    cls(config).eval().save_pretrained(folder, safe_serialization=True)
    return folder
