"""Data-parallel encoding with CPU worker processes standing in for GPUs."""

from __future__ import annotations

import time

import numpy as np
import pytest

from cmteb.engine.backend import encode_texts
from cmteb.engine.pool import WorkerFailed, WorkerPool
from tests.engine.fakes import FakeBackend, expected, make_broken_at_load, make_failing, make_fake

TEXTS = [f"text {i} " + "x" * (i % 23) for i in range(200)]


@pytest.fixture
def pool_of():
    pools: list[WorkerPool] = []

    def make(factory, devices=("cpu", "cpu")):
        pools.append(WorkerPool(factory, list(devices)))
        return pools[-1]

    yield make
    for pool in pools:
        pool.close(force=True)


def test_two_workers_give_the_same_rows_in_input_order(pool_of):
    pool = pool_of(make_fake)
    out = encode_texts(FakeBackend(), TEXTS, batch_size=16, token_budget=200, pool=pool)
    np.testing.assert_array_equal(out, expected(TEXTS))
    again = encode_texts(FakeBackend(), TEXTS[:7], batch_size=16, token_budget=200, pool=pool)
    np.testing.assert_array_equal(again, expected(TEXTS[:7]))  # the pool is reused


def test_a_worker_exception_reaches_the_parent_with_its_device(pool_of):
    pool = pool_of(make_failing, ["cpu", "cpu"])
    start = time.monotonic()
    with pytest.raises(WorkerFailed, match=r"worker on cpu failed: ValueError: boom") as info:
        encode_texts(FakeBackend(), [*TEXTS, "explode"], batch_size=8, pool=pool)
    assert "Traceback" in info.value.worker_traceback
    assert "\n" not in str(info.value)  # one line for the user
    assert time.monotonic() - start < 60  # reported, not hung


def test_a_worker_that_dies_silently_is_reported(pool_of):
    pool = pool_of(make_failing, ["cpu"])
    with pytest.raises(WorkerFailed, match="exited with code 3"):
        encode_texts(FakeBackend(), [*TEXTS[:5], "die"], batch_size=8, pool=pool)


def test_a_worker_that_cannot_load_the_model_is_reported(pool_of):
    pool = pool_of(make_broken_at_load, ["cpu", "cpu"])
    with pytest.raises(WorkerFailed, match="OSError: cannot load the model on cpu"):
        encode_texts(FakeBackend(), TEXTS[:5], batch_size=8, pool=pool)


def test_pool_recovers_after_a_failure(pool_of):
    pool = pool_of(make_failing, ["cpu", "cpu"])
    with pytest.raises(WorkerFailed):
        encode_texts(FakeBackend(), ["explode"], batch_size=8, pool=pool)
    out = encode_texts(FakeBackend(), TEXTS[:9], batch_size=4, pool=pool)
    np.testing.assert_array_equal(out, expected(TEXTS[:9]))
