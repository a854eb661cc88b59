"""STS: hand-calculated correlations and parity with the pinned mteb's AbsTaskSTS."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cmteb.data.types import PairScores
from cmteb.evaluators import sts
from cmteb.protocols import PROTOCOLS
from tests.conftest import make_spec
from tests.evaluators._support import FakeEmbed, make_mteb_task, run_mteb_task

VECTORS = {"a": [1, 0], "b": [1, 0], "c": [1, 0], "d": [0, 1], "e": [1, 0], "f": [-1, 0]}


def table_embed(texts, role):
    return np.asarray([VECTORS[t] for t in texts], dtype=np.float32)


def test_three_pairs_by_hand():
    # cosines 1, 0, -1; Manhattan distances 0, 2, 2; gold 5, 2.5, 0 on the 0-5 scale
    data = PairScores(["a", "c", "e"], ["b", "d", "f"], [5.0, 2.5, 0.0])
    result = sts.evaluate(make_spec("STS"), data, table_embed, PROTOCOLS["cmteb"])
    m = result.metrics
    assert m["cosine_pearson"] == pytest.approx(1.0)
    assert m["cosine_spearman"] == pytest.approx(1.0)
    assert (m["pearson"], m["spearman"]) == (m["cosine_pearson"], m["cosine_spearman"])
    # negated Manhattan [0, -2, -2]: ranks [3, 1.5, 1.5] vs gold ranks [3, 2, 1] -> r = sqrt(3)/2
    assert m["manhattan_spearman"] == pytest.approx(math.sqrt(3) / 2)
    assert m["euclidean_spearman"] == pytest.approx(1.0)
    assert result.samples == {"cosine": pytest.approx([1.0, 0.0, -1.0]), "gold": [1.0, 0.5, 0.0]}


def test_gold_scores_use_the_spec_scale():
    data = PairScores(["a", "c", "e"], ["b", "d", "f"], [5.0, 3.0, 1.0])
    spec = make_spec("STS", sts={"min_score": 1, "max_score": 5})
    result = sts.evaluate(spec, data, table_embed, PROTOCOLS["mteb"])
    assert result.samples["gold"] == [1.0, 0.5, 0.0]


def sts_data() -> PairScores:
    rng = np.random.default_rng(3)
    s1, s2, gold = [], [], []
    for i in range(24):
        topic = f"t{i % 6}"
        other = topic if i % 3 else f"t{(i + 1) % 6}"
        s1.append(f"{topic}|a{i}")
        s2.append(f"{other}|b{i}")
        gold.append(float(np.round(rng.uniform(0, 5), 1)))
    return PairScores(s1, s2, gold)


def test_matches_mteb():
    from datasets import Dataset
    from mteb.abstasks.sts import AbsTaskSTS

    data = sts_data()
    ours = sts.evaluate(make_spec("STS"), data, FakeEmbed(), PROTOCOLS["mteb"]).metrics
    task = make_mteb_task(AbsTaskSTS, "STS", "cosine_spearman", min_score=0, max_score=5)
    columns = {"sentence1": data.sentence1, "sentence2": data.sentence2, "score": data.score}
    theirs = run_mteb_task(task, {"test": Dataset.from_dict(columns)})
    for key, value in ours.items():
        # mteb's `pearson`/`spearman` use torch's pairwise cosine: equal to float32 rounding
        tolerance = 1e-6 if key in ("pearson", "spearman") else 1e-12
        assert value == pytest.approx(theirs[key], abs=tolerance), key
    assert set(theirs) - set(ours) == {"main_score"}


def test_one_symmetric_embed_call():
    embed = FakeEmbed()
    data = sts_data()
    sts.evaluate(make_spec("STS"), data, embed, PROTOCOLS["cmteb"])
    assert embed.calls == [("symmetric", data.sentence1 + data.sentence2)]
