"""Length-sorted token-budget batching: order restored, limits kept, OOM halves and continues."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmteb.engine.backend import encode_texts
from cmteb.engine.batching import length_order, plan_batches
from cmteb.engine.context import engine_settings
from cmteb.engine.devices import CPU_TOKEN_BUDGET, GPU_TOKEN_BUDGET
from cmteb.engine.local import EngineOutOfMemory
from tests.engine.fakes import FakeBackend, expected

TEXTS = ["a" * n + str(i) for i, n in enumerate([3, 40, 1, 17, 3, 60, 8, 8, 25, 2, 33, 5])]


def test_rows_come_back_in_input_order_after_length_sorting():
    backend = FakeBackend()
    out = encode_texts(backend, TEXTS, batch_size=4, token_budget=100)
    np.testing.assert_array_equal(out, expected(TEXTS))
    lengths = [len(t) for b in backend.batches for t in b]
    assert lengths == sorted(lengths, reverse=True)  # batches ran longest first
    assert len(backend.batches) > 1


def test_every_batch_keeps_the_token_budget_and_the_row_cap():
    backend = FakeBackend()
    encode_texts(backend, TEXTS, batch_size=3, token_budget=70)
    for batch in backend.batches:
        assert len(batch) <= 3
        assert len(batch) == 1 or len(batch) * max(map(len, batch)) <= 70


def test_text_longer_than_the_budget_gets_a_batch_of_its_own():
    assert plan_batches([500, 10, 10], token_budget=100, max_rows=8) == [(0, 1), (1, 3)]


def test_length_order_is_stable_for_equal_lengths():
    assert length_order([2, 5, 2, 5]).tolist() == [1, 3, 0, 2]


@given(st.lists(st.integers(1, 300), min_size=1, max_size=60), st.integers(1, 2000), st.integers(1, 16))
def test_planned_batches_cover_every_text_once_within_limits(lengths, budget, rows):
    ordered = sorted(lengths, reverse=True)
    batches = plan_batches(ordered, budget, rows)
    assert [i for s, e in batches for i in range(s, e)] == list(range(len(ordered)))
    for s, e in batches:
        assert 1 <= e - s <= rows
        assert e - s == 1 or (e - s) * ordered[s] <= budget


def test_context_budget_applies_when_the_caller_gives_none():
    backend = FakeBackend()
    with engine_settings(token_budget=61):
        encode_texts(backend, TEXTS, batch_size=100)
    assert [len(b) for b in backend.batches][0] == 1  # 60-char text: 2 x 61 > 61


def test_progress_callback_sees_every_row():
    seen: list[int] = []
    with engine_settings(on_rows=seen.append):
        encode_texts(FakeBackend(), TEXTS, batch_size=5, token_budget=50)
    assert sum(seen) == len(TEXTS)


def test_out_of_memory_halves_the_batch_and_continues():
    backend = FakeBackend(memory_tokens=70)  # injected: any batch above 70 padded tokens fails
    out = encode_texts(backend, TEXTS, batch_size=8, token_budget=400)
    np.testing.assert_array_equal(out, expected(TEXTS))
    assert backend.ooms >= 1
    assert all(len(b) * max(map(len, b)) <= 70 for b in backend.batches)
    assert sorted(t for b in backend.batches for t in b) == sorted(TEXTS)  # each text once


def test_out_of_memory_on_a_single_text_is_a_clear_error():
    with pytest.raises(EngineOutOfMemory, match="single text of 61 tokens"):
        encode_texts(FakeBackend(memory_tokens=50), ["x" * 61], batch_size=4)


def test_other_errors_are_not_mistaken_for_out_of_memory():
    class Broken(FakeBackend):
        def forward(self, texts):
            raise RuntimeError("shape mismatch")

    with pytest.raises(RuntimeError, match="shape mismatch"):
        encode_texts(Broken(), TEXTS, batch_size=4)


def test_default_budget_follows_the_backend_device():
    backend = FakeBackend()
    backend.device = "cuda:0"
    encode_texts(backend, ["x" * 300] * 300, batch_size=1000)
    assert len(backend.batches[0]) == GPU_TOKEN_BUDGET // 300
    cpu = FakeBackend()
    encode_texts(cpu, ["x" * 300] * 30, batch_size=1000)
    assert len(cpu.batches[0]) == CPU_TOKEN_BUDGET // 300
