"""Cross-encoder pair scores in the store: cached pairs never reach (nor load) the model, every
segment is stored as it finishes, engine failures fail the task in one line."""

from __future__ import annotations

import io

import numpy as np
import pytest

from cmteb.engine.cache import EmbeddingCache
from cmteb.engine.context import current_settings
from cmteb.engine.local import EngineOutOfMemory
from cmteb.engine.pool import WorkerFailed
from cmteb.engine.progress import TaskProgress
from cmteb.errors import TaskError
from cmteb.models.contract import LazyAdapter
from cmteb.models.pair_scorer import TaskPairScorer, pair_key
from cmteb.models.policy import TextPolicy
from tests.conftest import make_spec

RERANKING = make_spec("Reranking")


class RecordingScorer:
    def __init__(self) -> None:
        self.calls: list[list[tuple[str, str]]] = []

    def predict(self, pairs, *, task, batch_size):
        self.calls.append(list(pairs))
        return np.asarray([len(q) * 10 + len(p) + 0.5 for q, p in pairs], dtype=np.float32)


def test_cached_pairs_are_read_back_exactly_and_the_model_loads_only_for_a_miss(tmp_path):
    store = EmbeddingCache(tmp_path, {"test": "pair scores"})
    model = RecordingScorer()
    first = TaskPairScorer(model, TextPolicy(query_prefix="Q: "), RERANKING, store=store)
    scores = first(["甲", "甲", "乙乙"], ["天", "天", "地地地"])
    assert model.calls == [[("Q: 甲", "天"), ("Q: 乙乙", "地地地")]]
    # 10 x len("Q: 甲") + len("天") + 0.5 = 41.5; 10 x len("Q: 乙乙") + len("地地地") + 0.5 = 53.5
    np.testing.assert_array_equal(scores, np.float32([41.5, 41.5, 53.5]))

    loads: list[int] = []

    def load():
        loads.append(1)
        return model

    second = TaskPairScorer(LazyAdapter(load), TextPolicy(query_prefix="Q: "), RERANKING, store=store)
    np.testing.assert_array_equal(second(["乙乙", "甲"], ["地地地", "天"]), scores[[2, 0]])
    assert loads == [] and (second.stats.cache_hits, second.stats.encoded) == (2, 0)
    second(["甲"], ["地地地"])
    assert loads == [1] and model.calls[-1] == [("Q: 甲", "地地地")] and second.stats.encoded == 1


def test_pair_keys_cannot_collide_by_moving_the_boundary():
    assert pair_key(("ab", "c")) != pair_key(("a", "bc"))
    assert pair_key(("a\\", "b")) != pair_key(("a", "\\b"))


class _Tty(io.StringIO):
    def isatty(self):
        return True


class EngineScorer(RecordingScorer):
    """Reports each call's engine settings, and its rows as the engine does after a batch."""

    def __init__(self) -> None:
        super().__init__()
        self.budgets: list[int | None] = []

    def predict(self, pairs, *, task, batch_size):
        settings = current_settings()
        self.budgets.append(settings.token_budget)
        if settings.on_rows is not None:
            settings.on_rows(len(pairs))
        return super().predict(pairs, task=task, batch_size=batch_size)


def test_pair_scoring_advances_the_task_bar_in_pairs_under_the_run_token_budget(tmp_path):
    stream = _Tty()
    store = EmbeddingCache(tmp_path, {"test": "pair scores"})
    model = EngineScorer()
    progress = TaskProgress("Rerank", unit="pairs", stream=stream)
    TaskPairScorer(model, TextPolicy(), RERANKING, store=store, token_budget=512)(["甲"], ["天"])
    scorer = TaskPairScorer(model, TextPolicy(), RERANKING, store=store, progress=progress, token_budget=512)
    scorer(["甲", "乙", "丙"], ["天", "地", "人"])  # ("甲", "天") is cached
    progress.close()
    assert model.budgets == [512, 512] and len(model.calls[-1]) == 2
    text = stream.getvalue()
    assert "2 pairs" in text and "pairs/s" in text and "cache hits 1" in text  # no plan: no total


def test_pair_scores_are_stored_segment_by_segment_and_a_rerun_scores_only_the_rest(tmp_path, monkeypatch):
    import cmteb.models.cached_call as cached_call

    monkeypatch.setattr(cached_call, "SEGMENT_ROWS", 3)

    class StopsOnThirdSegment(RecordingScorer):
        def predict(self, pairs, *, task, batch_size):
            if len(self.calls) == 2:
                raise KeyboardInterrupt  # as a Ctrl-C or a kill between two segments
            return super().predict(pairs, task=task, batch_size=batch_size)

    def store():
        return EmbeddingCache(tmp_path, {"test": "pair scores"})

    queries, passages = [f"问{i}" for i in range(8)], [f"答{i}" for i in range(8)]
    with pytest.raises(KeyboardInterrupt):
        TaskPairScorer(StopsOnThirdSegment(), TextPolicy(), RERANKING, store=store())(queries, passages)
    model = RecordingScorer()
    again = TaskPairScorer(model, TextPolicy(), RERANKING, store=store())
    scores = again(queries, passages)
    assert model.calls == [[("问6", "答6"), ("问7", "答7")]]  # the two segments stored first were read
    assert (again.stats.cache_hits, again.stats.encoded) == (6, 2)
    np.testing.assert_array_equal(scores, RecordingScorer().predict(list(zip(queries, passages, strict=True)),
                                                                    task=RERANKING, batch_size=1))


@pytest.mark.parametrize("failure", [
    WorkerFailed("encoding worker on cuda:1 failed: RuntimeError: CUDA error: device-side assert"),
    EngineOutOfMemory("out of memory on a single text of 512 tokens; lower --max-length"),
])
def test_worker_failure_and_out_of_memory_in_pair_scoring_fail_the_task_in_one_line(failure):
    class Failing:
        def predict(self, pairs, *, task, batch_size):
            raise failure

    scorer = TaskPairScorer(Failing(), TextPolicy(), RERANKING, model_name="org/reranker")
    with pytest.raises(TaskError) as err:
        scorer(["甲"], ["天"])
    assert str(err.value) == f"model org/reranker on task {RERANKING.name}: {failure}"
