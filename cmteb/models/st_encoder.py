"""sentence-transformers adapter: a hub name or a local folder in sentence-transformers layout.

The texts arrive with cmteb's prefixes/instruction already applied, so no sentence-transformers
prompt is used. Output: float32 (n, dim), L2-normalised when `normalize` is set.
"""

from __future__ import annotations

import numpy as np

from cmteb.models.protocol import Role
from cmteb.tasks.spec import TaskSpec

DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}


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
    ) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(
            name_or_path,
            revision=revision,
            device=device,
            model_kwargs={"dtype": getattr(torch, DTYPES[dtype])},
        )
        if max_length is not None:
            self.model.max_seq_length = max_length
        self.normalize = normalize

    @property
    def max_length(self) -> int | None:
        return self.model.max_seq_length

    def encode(self, texts: list[str], *, role: Role, task: TaskSpec, batch_size: int) -> np.ndarray:
        emb = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=self.normalize,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(emb, dtype=np.float32)
