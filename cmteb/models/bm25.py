"""The lexical baseline `bm25`: bm25s over rjieba words (install with `pip install 'cmteb[bm25]'`).

Tokens: NFKC-normalised, lower-cased text segmented by rjieba (jieba-rs); whitespace and
punctuation-only tokens and bm25s's Chinese stopwords are dropped. Scoring: bm25s with method
`lucene`, k1 = 1.5, b = 0.75 (bm25s's and mteb's defaults). Document frequencies come from the
texts indexed: a retrieval split's whole corpus, or a reranking split's candidate passages.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

import numpy as np

from cmteb.errors import UserError

SETTINGS: dict[str, Any] = {
    "library": "bm25s", "method": "lucene", "k1": 1.5, "b": 0.75,
    "tokenizer": "rjieba (NFKC, lower-case)", "stopwords": "bm25s zh + punctuation-only tokens",
}


def _require() -> tuple[Any, Any]:
    try:
        import bm25s
        import rjieba
    except ImportError as exc:
        raise UserError("model bm25 needs its extra: pip install 'cmteb[bm25]' "
                        f"(bm25s and rjieba; missing: {exc.name})") from exc
    return bm25s, rjieba


def _is_word(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


class BM25Model:
    """`tokenize(texts)` and `index(texts) -> BM25Index`; no model weights, no device."""

    def __init__(self) -> None:
        self._bm25s, self._rjieba = _require()
        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each index build at DEBUG
        from bm25s.tokenization import STOPWORDS_CHINESE

        self._stopwords = frozenset(STOPWORDS_CHINESE)

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        out = []
        for text in texts:
            words = self._rjieba.cut(unicodedata.normalize("NFKC", text).lower())
            out.append([w for w in words if _is_word(w) and w not in self._stopwords])
        return out

    def take_encoding_report(self) -> dict[str, Any]:
        """No max length: every token of every text is indexed or searched."""
        return {"truncation": {"max_length": None, "texts_cut": 0, "share_cut": 0.0}}

    def index(self, texts: list[str]) -> BM25Index:
        retriever = self._bm25s.BM25(method=SETTINGS["method"], k1=SETTINGS["k1"], b=SETTINGS["b"])
        retriever.index(self.tokenize(texts), show_progress=False)
        return BM25Index(self, retriever, len(texts))


class BM25Index:
    """BM25 scores of queries against the indexed texts, in their indexed order."""

    def __init__(self, model: BM25Model, retriever: Any, size: int) -> None:
        self.model, self.retriever, self.size = model, retriever, size

    def scores(self, queries: list[str]) -> np.ndarray:
        """float32 (len(queries), size); a query with no indexed word scores 0 everywhere."""
        out = np.zeros((len(queries), self.size), dtype=np.float32)
        for row, tokens in enumerate(self.model.tokenize(queries)):
            ids = self.retriever.get_tokens_ids(tokens)
            if ids:
                out[row] = self.retriever.get_scores_from_ids(ids)
        return out
