"""Encoders the distributed tests inject as `--model tests.distributed.fakes:ClassName`.

All embed like `hash` (so their scores equal the hash model's); some fail on purpose. The marker
files that make a crash happen once per test live in the folder named by `CMTEB_TEST_MARKERS`,
an environment variable the tests pass to the Ray workers.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from cmteb.errors import UserError
from cmteb.models.hash_encoder import HashEncoder


def _first_time(name: str) -> bool:
    """True for exactly one caller across all processes (O_EXCL creation of a marker file)."""
    marker = Path(os.environ["CMTEB_TEST_MARKERS"]) / name
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return True


class Hash64(HashEncoder):
    """A second deterministic model: the hash encoder with 64 dimensions."""

    def __init__(self) -> None:
        super().__init__(dim=64)


class CrashOnceHash(HashEncoder):
    """The first encode() of the whole run kills its worker process (as a lost node would)."""

    def encode(self, texts, *, role, task, batch_size) -> np.ndarray:
        if _first_time("crash-once"):
            os._exit(1)
        return super().encode(texts, role=role, task=task, batch_size=batch_size)


class CrashOnClustering(HashEncoder):
    """Kills its worker process on every clustering task: retries cannot help."""

    def encode(self, texts, *, role, task, batch_size) -> np.ndarray:
        if task.type == "Clustering":
            os._exit(1)
        return super().encode(texts, role=role, task=task, batch_size=batch_size)


class FailsOnSTS(HashEncoder):
    """Raises on STS tasks: a deterministic failure, reported with its exception."""

    def encode(self, texts, *, role, task, batch_size) -> np.ndarray:
        if task.type == "STS":
            raise RuntimeError("this model is broken on STS")
        return super().encode(texts, role=role, task=task, batch_size=batch_size)


class CannotLoad:
    """A model whose loading fails as a user mistake would (e.g. a folder without weights)."""

    def __init__(self) -> None:
        raise UserError("model CannotLoad: no weights found")

    def encode(self, texts, *, role, task, batch_size):  # never reached: __init__ fails
        raise AssertionError("unreachable")
