"""Evaluator test support: one deterministic fake embedding, seen through cmteb and through mteb.

`fake_vectors(texts)`: a seeded vector per text (sha256 of the text). A text "topic|variant" is
its topic's vector plus smaller variant noise, so texts sharing a topic are near-duplicates and
similarities are non-trivial. `FakeEmbed` is the cmteb side (`embed(texts, role)`);
`mteb_encoder()` wraps the same vectors as an mteb `AbsEncoder`; `run_mteb_task` runs one of the
pinned mteb's real abstract tasks on in-memory data with it. mteb is imported lazily (~4 s).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

DIM = 16
VARIANT_NOISE = 0.6


def _seeded(key: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(DIM)


def fake_vectors(texts: list[str]) -> np.ndarray:
    """(n, DIM) float32, deterministic per text; "topic|x" texts cluster around their topic."""
    rows = []
    for text in texts:
        topic, sep, _ = text.partition("|")
        rows.append(_seeded(topic) + VARIANT_NOISE * _seeded(text) if sep else _seeded(text))
    return np.asarray(rows, dtype=np.float32).reshape(len(texts), DIM)


class FakeEmbed:
    """cmteb's `embed(texts, role)` over `fake_vectors`; records (role, texts) per call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def __call__(self, texts, role):
        self.calls.append((role, list(texts)))
        return fake_vectors(list(texts))


def mteb_encoder():
    """An mteb encoder returning `fake_vectors`; no model meta, so mteb scores by cosine."""
    from mteb.models.abs_encoder import AbsEncoder

    class FakeMtebEncoder(AbsEncoder):
        mteb_model_meta = None

        def encode(self, inputs, *, task_metadata, hf_split, hf_subset, prompt_type=None,
                   **kwargs):
            return fake_vectors([text for batch in inputs for text in batch["text"]])

    return FakeMtebEncoder()


_GENERAL = {
    "description": "cmteb parity test task",
    "reference": "https://github.com/embeddings-benchmark/mteb",
    "dataset": {"path": "NA", "revision": "NA"},
    "category": "t2t",
    "eval_splits": ["test"],
    "eval_langs": ["cmn-Hans"],
    "date": ("2022-12-22", "2022-12-22"),
    "dialect": ["Written"],
    "domains": [],
    "task_subtypes": [],
    "license": "cc-by-4.0",
    "annotations_creators": "derived",
    "modalities": ["text"],
    "sample_creation": "found",
    "bibtex_citation": "",
}


def make_mteb_task(base: type, task_type: str, main_score: str, **attributes: Any):
    """An instance of a subclass of mteb's abstract task `base` with test metadata."""
    from mteb.abstasks.task_metadata import TaskMetadata

    name = f"Parity{task_type}"
    metadata = TaskMetadata(type=task_type, name=name, main_score=main_score, **_GENERAL)
    return type(name, (base,), {"metadata": metadata, **attributes})()


def run_mteb_task(task: Any, dataset: Any = None, **kwargs: Any) -> dict[str, Any]:
    """Evaluate `task` on split "test" with the fake encoder (`kwargs` go to mteb's evaluator),
    after setting its in-memory `dataset` (mteb's layout) unless None; returns mteb's scores
    for subset "default"."""
    if dataset is not None:
        task.dataset = dataset
    task.data_loaded = True
    scores = task.evaluate(mteb_encoder(), "test", encode_kwargs={"batch_size": 4}, **kwargs)
    return dict(scores["default"])
