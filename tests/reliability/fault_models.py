"""Encoders that fail on purpose, for `--model tests.reliability.fault_models:<Class>`.

Each behaves exactly like the hash encoder (`--model hash`) except where it fails, so the tasks it
finishes have the scores of a clean hash run.
"""

from __future__ import annotations

import numpy as np

from cmteb.models.hash_encoder import HashEncoder


class FlakyHashEncoder(HashEncoder):
    """Raises `fail_with` on the `fail_on_call`-th encode() call of the instance (1-based).

    Tests set the class attributes (monkeypatch); None = never fails. The same class with and
    without a failure records the same settings, so a later healthy run resumes the failed one.
    """

    fail_on_call: int | None = None
    fail_with: type[BaseException] = RuntimeError

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def encode(self, texts, *, role, task, batch_size):
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise self.fail_with(f"injected failure on encode call {self.calls}")
        return super().encode(texts, role=role, task=task, batch_size=batch_size)


class _Spoiled(HashEncoder):
    """Hash vectors, spoiled by `spoil` on tasks of type `on_type` only (the others must finish)."""

    on_type = "STS"

    def spoil(self, out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts, *, role, task, batch_size):
        out = super().encode(texts, role=role, task=task, batch_size=batch_size)
        return self.spoil(out) if task.type == self.on_type else out


class NaNOnSTS(_Spoiled):
    def spoil(self, out: np.ndarray) -> np.ndarray:
        out[-1, 0] = np.nan
        return out


class InfOnSTS(_Spoiled):
    def spoil(self, out: np.ndarray) -> np.ndarray:
        out[0, 3] = np.inf
        return out


class ExtraRowOnSTS(_Spoiled):
    def spoil(self, out: np.ndarray) -> np.ndarray:
        return np.vstack([out, out[:1]])


class ShrinkingDimOnRetrieval(_Spoiled):
    """Retrieval: full width for the queries, one column less for the corpus (inconsistent dims)."""

    on_type = "Retrieval"

    def __init__(self) -> None:
        super().__init__()
        self.spoiled_calls = 0

    def spoil(self, out: np.ndarray) -> np.ndarray:
        self.spoiled_calls += 1
        return out if self.spoiled_calls == 1 else out[:, :-1]


class MultiLineErrorOnSTS(_Spoiled):
    """Raises an error whose message spans lines, as many libraries' errors do."""

    def spoil(self, out: np.ndarray) -> np.ndarray:
        raise OSError("could not reach the device.\nCheck the driver, then retry.")
