"""The model contract: what any encoder passed to cmteb must provide.

`encode(texts, *, role, task, batch_size) -> np.ndarray` of shape (len(texts), dim), float32.
The texts already carry the prefixes and instruction of cmteb's text policy (`cmteb.models.policy`):
an adapter must not add them again. `role` and `task` are given for adapters that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from cmteb.tasks.spec import TaskSpec

Role = Literal["query", "document", "symmetric"]
ROLES: tuple[Role, ...] = ("query", "document", "symmetric")


@runtime_checkable
class Encoder(Protocol):
    def encode(
        self, texts: list[str], *, role: Role, task: TaskSpec, batch_size: int
    ) -> np.ndarray: ...
