"""The adapter contract: what a model object must provide for each model kind.

- bi-encoder (`Encoder`): `encode(texts, *, role, task, batch_size) -> np.ndarray` float32
  (len(texts), dim);
- cross-encoder (`PairScorer`): `predict(pairs, *, task, batch_size) -> np.ndarray` float32
  (len(pairs),), one relevance score per (query, passage) pair, higher = more relevant;
- lexical (`LexicalModel`): `index(texts) -> LexicalIndex`, whose `scores(queries)` is float32
  (len(queries), len(texts)).
The texts already carry the prefixes and instruction of cmteb's text policy (`cmteb.models.policy`):
an adapter must not add them again. `role` and `task` are given for adapters that need them.
Optional for every kind: `take_encoding_report() -> dict` (e.g. texts cut at the max length since
the last call), and `close()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from cmteb.tasks.spec import TaskSpec

Role = Literal["query", "document", "symmetric"]
ROLES: tuple[Role, ...] = ("query", "document", "symmetric")
Pair = tuple[str, str]


@runtime_checkable
class Encoder(Protocol):
    def encode(
        self, texts: list[str], *, role: Role, task: TaskSpec, batch_size: int
    ) -> np.ndarray: ...


@runtime_checkable
class PairScorer(Protocol):
    def predict(self, pairs: list[Pair], *, task: TaskSpec, batch_size: int) -> np.ndarray: ...


class LexicalIndex(Protocol):
    def scores(self, queries: list[str]) -> np.ndarray: ...


@runtime_checkable
class LexicalModel(Protocol):
    def index(self, texts: list[str]) -> LexicalIndex: ...


class LazyAdapter:
    """An adapter loaded on its first `encode` (bi-encoder) or `predict` (cross-encoder) call: a
    task served wholly from the store never loads the model. `load` returns the loaded adapter
    (the same object on every call)."""

    def __init__(self, load: Callable[[], Any]) -> None:
        self._load = load

    def encode(self, texts: list[str], *, role: Role, task: TaskSpec, batch_size: int) -> np.ndarray:
        return self._load().encode(texts, role=role, task=task, batch_size=batch_size)

    def predict(self, pairs: list[Pair], *, task: TaskSpec, batch_size: int) -> np.ndarray:
        return self._load().predict(pairs, task=task, batch_size=batch_size)
