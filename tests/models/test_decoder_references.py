"""Decoder models against their published reference code, on tiny random models of the same
architecture (transformers builds them offline from a Qwen3Config / Qwen2Config).

- Qwen3-Embedding: the model card's transformers snippet (left padding, `last_token_pool`, the
  tokenizer's own `<|endoftext|>`, `Instruct: {task}\\nQuery:` queries, L2 normalisation);
- gte-Qwen2: its model card snippet, with the EOS its tokenizer appends, and mteb's
  `add_eos_token=True` for a tokenizer that appends none;
- Qwen3-Reranker: the pinned mteb's `Qwen3RerankerWrapper` (a copy of the authors' example).
Each cmteb model is built from its registry entry, pointed at the tiny folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cmteb.models.checkpoint import Checkpoint, build
from cmteb.models.registry import find_entry
from cmteb.models.types import ModelOptions
from tests.conftest import make_spec
from tests.models.tiny_decoders import make_tiny_decoder

QUERIES = ["今天天气怎么样", "学生在学校学习", "a"]
DOCS = ["天气很好，我们出去走走吧。", "学校", "上海的天气"]
TASK = make_spec("Retrieval", prompt={"query": "Given a question, retrieve passages"})


def from_registry(name: str, folder: Path):
    """The registry entry `name`, loading the tiny checkpoint in `folder` instead of the hub's."""

    def read(filename: str):
        path = folder / filename
        return json.loads(path.read_text()) if path.is_file() else None

    ckpt = Checkpoint(source=str(folder), display=name, revision="local-test", load_revision=None, read=read)
    return build(ckpt, ModelOptions(), find_entry(name))


def last_token_pool(last_hidden_states, attention_mask):
    """Verbatim logic of the Qwen3-Embedding / gte-Qwen2 model cards."""
    import torch

    left_padding = attention_mask[:, -1].sum() == attention_mask.shape[0]
    if left_padding:
        return last_hidden_states[:, -1]
    sequence_lengths = attention_mask.sum(dim=1) - 1
    batch_size = last_hidden_states.shape[0]
    return last_hidden_states[torch.arange(batch_size, device=last_hidden_states.device), sequence_lengths]


def model_card_embeddings(folder: Path, texts: list[str], *, add_eos: bool = False) -> np.ndarray:
    """The model cards' snippet: left-padded batch, last-token pool, normalise. `add_eos`: append
    the EOS token to every text first (mteb's add_eos_token=True for gte-Qwen2)."""
    import torch
    import torch.nn.functional as F
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder, padding_side="left")
    model = AutoModel.from_pretrained(folder).eval()
    if add_eos:
        texts = [t + tokenizer.eos_token for t in texts]
    batch = tokenizer(texts, padding=True, truncation=True, max_length=8192, return_tensors="pt")
    with torch.no_grad():
        outputs = model(**batch)
    pooled = last_token_pool(outputs.last_hidden_state, batch["attention_mask"])
    return F.normalize(pooled, p=2, dim=1).numpy()


def cmteb_embeddings(resolved, texts_by_role: list[tuple[str, list[str]]]) -> np.ndarray:
    encoder = resolved.load()
    rows = [encoder.encode(resolved.policy.format(texts, role, TASK), role=role, task=TASK, batch_size=8)
            for role, texts in texts_by_role]
    return np.concatenate(rows)


@pytest.mark.parametrize("size", ["0.6B", "8B"])
def test_qwen3_embedding_equals_the_model_card_snippet(tmp_path, size):
    folder = make_tiny_decoder(tmp_path / "qwen3", arch="qwen3", eos="<|im_end|>", eos_template=True)
    resolved = from_registry(f"Qwen/Qwen3-Embedding-{size}", folder)
    ours = cmteb_embeddings(resolved, [("query", QUERIES), ("document", DOCS)])

    def get_detailed_instruct(task_description: str, query: str) -> str:  # the model card's
        return f"Instruct: {task_description}\nQuery:{query}"

    reference = model_card_embeddings(
        folder, [get_detailed_instruct("Given a question, retrieve passages", q) for q in QUERIES] + DOCS)
    np.testing.assert_allclose(ours, reference, atol=2e-5)
    backend = resolved.load().backend
    assert backend.tokenizer.padding_side == "left"
    endoftext, im_end = backend.tokenizer.convert_tokens_to_ids(["<|endoftext|>", "<|im_end|>"])
    for ids in backend._ids(QUERIES + DOCS):  # exactly one <|endoftext|>, never <|im_end|>
        assert ids[-1] == endoftext and ids[-2] != endoftext and im_end not in ids


@pytest.mark.parametrize("tokenizer_appends_eos", [True, False])
def test_gte_qwen2_equals_the_model_card_with_one_eos(tmp_path, tokenizer_appends_eos):
    folder = make_tiny_decoder(tmp_path / "qwen2", arch="qwen2", eos="<|endoftext|>",
                               eos_template=tokenizer_appends_eos)
    resolved = from_registry("Alibaba-NLP/gte-Qwen2-1.5B-instruct", folder)
    ours = cmteb_embeddings(resolved, [("query", QUERIES), ("document", DOCS)])
    queries = [f"Instruct: Given a question, retrieve passages\nQuery: {q}" for q in QUERIES]
    reference = model_card_embeddings(folder, queries + DOCS, add_eos=not tokenizer_appends_eos)
    np.testing.assert_allclose(ours, reference, atol=2e-5)
    eos = resolved.load().backend.tokenizer.eos_token_id
    assert all(ids[-1] == eos and ids[-2] != eos for ids in resolved.load().backend._ids(DOCS))


def test_a_text_embeds_the_same_alone_and_in_a_left_padded_batch(tmp_path):
    folder = make_tiny_decoder(tmp_path / "qwen3", arch="qwen3")
    encoder = from_registry("Qwen/Qwen3-Embedding-0.6B", folder).load()
    together = encoder.encode(DOCS, role="document", task=TASK, batch_size=8)
    alone = np.concatenate([encoder.encode([d], role="document", task=TASK, batch_size=1) for d in DOCS])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_qwen3_reranker_equals_the_pinned_mteb_implementation(tmp_path):
    import torch
    from mteb.models.model_implementations.qwen3_reranker import Qwen3RerankerWrapper

    folder = make_tiny_decoder(tmp_path / "reranker", arch="qwen3", causal_lm=True, eos_template=False)
    resolved = from_registry("Qwen/Qwen3-Reranker-0.6B", folder)
    assert (resolved.kind, resolved.adapter) == ("cross-encoder", "qwen3-reranker")
    pairs = [(q, d) for q in QUERIES for d in DOCS]
    ours = resolved.load().predict(pairs, task=TASK, batch_size=4)

    reference = Qwen3RerankerWrapper(str(folder), device="cpu", dtype=torch.float32)
    formatted = [reference.format_instruction(None, q, d) for q, d in pairs]
    expected = np.asarray(reference.compute_logits(reference.process_inputs(formatted)), dtype=np.float32)
    np.testing.assert_allclose(ours, expected, atol=1e-5)
    assert ((0 < ours) & (ours < 1)).all() and len(set(np.round(ours, 6))) > 1
    assert resolved.settings["instruction"] == "Given the user query, retrieval the relevant passages"


def test_qwen3_reranker_refuses_settings_it_cannot_apply(tmp_path):
    from cmteb.errors import UserError

    folder = make_tiny_decoder(tmp_path / "reranker", arch="qwen3", causal_lm=True)
    ckpt = Checkpoint(source=str(folder), display="Qwen/Qwen3-Reranker-4B", revision="r", load_revision=None,
                      read=lambda f: None)
    with pytest.raises(UserError, match="--query-instruction cannot be applied"):
        build(ckpt, ModelOptions(query_instruction="X"), find_entry("Qwen/Qwen3-Reranker-4B"))
