"""What a sentence-transformers checkpoint does, read from its files.

`st_layout(read)` reads `modules.json`, the Pooling module's `config.json` and
`sentence_bert_config.json` through `read(filename) -> parsed JSON | None` (a local folder or the
hub cache), so the pooling, normalization and max length that will be used are known and recorded
before any model is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_MODES = {"cls": "cls", "mean": "mean", "lasttoken": "last"}
_LEGACY_KEYS = {"pooling_mode_cls_token": "cls", "pooling_mode_mean_tokens": "mean",
                "pooling_mode_max_tokens": "max", "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
                "pooling_mode_weightedmean_tokens": "weightedmean", "pooling_mode_lasttoken": "lasttoken"}


@dataclass(frozen=True)
class STLayout:
    """`pooling`: cls / mean / last, or sentence-transformers' own name for other modes (None =
    no Pooling module); `normalizes`: a Normalize module ends the pipeline; `max_length`: its
    max_seq_length (None = the tokenizer's)."""

    pooling: str | None
    normalizes: bool
    max_length: int | None


def _pooling_mode(config: dict[str, Any]) -> str:
    mode = config.get("pooling_mode")
    if mode is None:
        modes = [name for key, name in _LEGACY_KEYS.items() if config.get(key)]
        mode = modes[0] if len(modes) == 1 else "+".join(modes) or "mean"
    if isinstance(mode, list):
        mode = "+".join(mode)
    return _MODES.get(mode, mode)


def st_layout(read: Callable[[str], Any]) -> STLayout | None:
    """The checkpoint's sentence-transformers layout, or None when it has no modules.json."""
    modules = read("modules.json")
    if not isinstance(modules, list):
        return None
    types = [str(m.get("type", "")) for m in modules if isinstance(m, dict)]
    pooling = None
    for module in modules:
        if isinstance(module, dict) and str(module.get("type", "")).endswith("Pooling"):
            path = str(module.get("path", "")).strip("/")
            pooling = _pooling_mode(read(f"{path}/config.json" if path else "config.json") or {})
    bert = read("sentence_bert_config.json") or {}
    max_length = bert.get("max_seq_length") if isinstance(bert, dict) else None
    return STLayout(pooling=pooling, normalizes=any(t.endswith("Normalize") for t in types),
                    max_length=max_length if isinstance(max_length, int) else None)
