"""The task progress bar never goes backwards: its total is known before encoding (the distinct
texts each evaluator will hand the embedder), cache hits only shrink it, and without a plan it
counts with no total at all."""

from __future__ import annotations

import io

import numpy as np
import pytest

from cmteb.cli import main
from cmteb.data.loader import load_task_data
from cmteb.engine.progress import TaskProgress
from cmteb.evaluators import evaluate_split, texts_to_embed
from cmteb.protocols import get_protocol
from cmteb.tasks.registry import TaskRegistry


class _Tty(io.StringIO):
    def isatty(self):
        return True


class _Recorded(TaskProgress):
    """A bar on a fake terminal that records (done, total) after every change."""

    log: dict[str, list[tuple[int, int | None]]] = {}

    def __init__(self, task, **kwargs):
        kwargs["stream"] = _Tty()
        super().__init__(task, **kwargs)
        self.log[task] = []

    def _note(self):
        self.log[self.task].append((self._bar.n, self._bar.total))

    def plan(self, texts):
        super().plan(texts)
        self._note()

    def expect(self, to_encode, hits):
        super().expect(to_encode, hits)
        self._note()

    def advance(self, rows):
        super().advance(rows)
        self._note()


def _fractions(steps):
    return [n / total for n, total in steps if total]


def test_a_planned_bar_only_moves_forward_and_cache_hits_shrink_its_total():
    bar = TaskProgress("DemoRetrieval", stream=_Tty())
    bar.plan(80)  # 20 queries, then 60 passages
    seen = []
    for to_encode, hits in ((20, 0), (50, 10)):
        bar.expect(to_encode, hits)
        seen.append(bar._bar.n / bar._bar.total)
        bar.advance(to_encode)
        seen.append(bar._bar.n / bar._bar.total)
    assert (bar._bar.n, bar._bar.total) == (70, 70)
    assert seen == sorted(seen) and seen[-1] == 1.0
    bar.close()
    text = bar.stream.getvalue()
    assert "70/70" in text and "cache hits 10" in text and "texts/s" in text


def test_without_a_plan_the_bar_counts_with_no_total():
    bar = TaskProgress("Rerank", unit="pairs", stream=_Tty())
    bar.expect(20, 0)
    bar.advance(20)
    bar.expect(60, 3)
    bar.advance(60)
    assert bar._bar.total is None and bar._bar.n == 80
    bar.close()
    text = bar.stream.getvalue()
    assert "80 pairs" in text and "%" not in text and "cache hits 3" in text


@pytest.mark.parametrize("task", TaskRegistry().benchmark("demo").tasks)
def test_texts_to_embed_is_what_the_evaluator_embeds(task):
    """One task per type: the planned count equals the distinct texts of each embed call."""
    registry = TaskRegistry()
    spec = registry.get(task)
    split = spec.eval_splits("cmteb")[0]
    data = load_task_data(spec, yaml_path=registry.origin(task), required_splits=[split],
                          optional_splits=[], data_dir=None).splits[split]
    calls = []

    def embed(texts, role):
        calls.append(list(texts))
        return np.random.default_rng(len(calls)).standard_normal((len(texts), 8)).astype(np.float32)

    evaluate_split(spec, data, embed, get_protocol("cmteb"))
    assert texts_to_embed(spec, data) == sum(len(set(c)) for c in calls) > 0


def test_a_demo_run_bar_reaches_its_total_without_going_back(tmp_path, monkeypatch):
    import cmteb.runner

    _Recorded.log = {}
    monkeypatch.setattr(cmteb.runner, "TaskProgress", _Recorded)
    assert main(["run", "--model", "hash", "--benchmark", "demo", "--no-cache",
                 "--output-dir", str(tmp_path)]) == 0
    assert set(_Recorded.log) == set(TaskRegistry().benchmark("demo").tasks)
    for task, steps in _Recorded.log.items():
        fractions = _fractions(steps)
        assert fractions == sorted(fractions) and fractions[-1] == 1.0, (task, steps)
        assert steps[-1][0] == steps[0][1], (task, steps)  # done == the total planned up front
