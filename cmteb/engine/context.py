"""Engine settings for the current encode call, set by the caller of `Encoder.encode`.

The encoder contract (`encode(texts, *, role, task, batch_size)`) stays small; what the run
decides for every adapter at once (the token budget, a progress callback) reaches
`encode_texts` through this context instead: `TaskEmbedder` wraps each `encode` call in
`engine_settings(...)`. Outside such a block the defaults apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class EngineSettings:
    """`token_budget`: padded tokens per batch (None = the backend's or the device default).
    `on_rows`: called with the number of rows of each finished batch (progress)."""

    token_budget: int | None = None
    on_rows: Callable[[int], None] | None = None


_DEFAULT = EngineSettings()
_CURRENT: ContextVar[EngineSettings | None] = ContextVar("cmteb_engine_settings", default=None)


def current_settings() -> EngineSettings:
    return _CURRENT.get() or _DEFAULT


@contextmanager
def engine_settings(**changes: object) -> Iterator[EngineSettings]:
    """Set some `EngineSettings` fields for the duration of the block."""
    settings = replace(current_settings(), **changes)  # type: ignore[arg-type]
    token = _CURRENT.set(settings)
    try:
        yield settings
    finally:
        _CURRENT.reset(token)
