"""Pooling: token states (batch, seq, dim) + attention mask (batch, seq) -> one vector per text.

- `cls`: the first token's state (BERT-style models trained with a [CLS] objective, e.g. bge).
- `mean`: the mean of the states of the non-padding tokens (sentence-transformers' mean pooling).
- `last`: the state of each text's last non-padding token (decoder models such as gte-Qwen2).
  Left-padding aware: when every row's last position is a real token (left padding) it is that
  position; otherwise the position before each row's padding (right padding).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

from cmteb.models.types import Pooling

if TYPE_CHECKING:
    import torch

POOLINGS: tuple[Pooling, ...] = get_args(Pooling)


def pool(states: torch.Tensor, mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """(batch, seq, dim), (batch, seq) 0/1 -> (batch, dim) in the states' dtype."""
    if pooling == "cls":
        return states[:, 0]
    if pooling == "mean":
        weights = mask.unsqueeze(-1).to(states.dtype)
        return (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
    if pooling == "last":
        return last_token(states, mask)
    raise ValueError(f"unknown pooling {pooling!r}; expected one of {', '.join(POOLINGS)}")


def last_token(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The last real token of each row, for left- or right-padded batches."""
    import torch

    if bool(mask[:, -1].all()):
        return states[:, -1]
    last = mask.sum(dim=1) - 1
    return states[torch.arange(states.shape[0], device=states.device), last]
