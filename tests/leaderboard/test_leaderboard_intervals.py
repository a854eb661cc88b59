"""95% bootstrap intervals from the per-sample files: present for every score that has them,
seeded, equal in distribution to scipy's percentile bootstrap, refused when the samples do not
belong to the result."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import average_precision_score

import cmteb
from cmteb.leaderboard.build import build_leaderboard
from cmteb.leaderboard.export import leaderboard_dict
from tests.leaderboard.lb_files import cmteb_doc, write_doc


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    cmteb.evaluate("hash", benchmark="demo", output_dir=root)
    return root


def write_sts(root: Path, model: str, cosine: np.ndarray, gold: np.ndarray,
              stored: float | None = None) -> None:
    """A DemoSTS result whose cosine_spearman is scipy's Spearman of the samples (or `stored`)."""
    score = stats.spearmanr(cosine, gold).statistic if stored is None else stored
    folder = model.replace("/", "__")
    write_doc(root, folder, "rev1", "DemoSTS",
              cmteb_doc("DemoSTS", {"test": {"cosine_spearman": score}}, model=model))
    write_doc(root, folder, "rev1", "DemoSTS.samples",
              {"task": "DemoSTS", "splits": {"test": {"cosine": cosine.tolist(), "gold": gold.tolist()}}})


def sts_data(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 6, n).astype(float)
    return gold / 5 + rng.normal(0, 0.4, n), gold


def test_every_score_with_per_sample_files_has_an_interval_in_the_json(demo_run):
    doc = leaderboard_dict(build_leaderboard([demo_run], "demo", resamples=200))
    (row,) = doc["models"]
    for task, entry in row["tasks"].items():
        ci = entry["ci95"]
        assert ci is not None and ci["resamples"] <= 200, task
        assert ci["low"] <= entry["raw"] <= ci["high"], task
    for avg in [row["Avg"], *row["types"].values()]:
        assert avg["ci95"]["low"] <= avg["score"] <= avg["ci95"]["high"]
    assert row["ranking"]["ci95"] == row["Avg"]["ci95"]


def test_interval_matches_scipys_percentile_bootstrap(tmp_path):
    cosine, gold = sts_data()
    write_sts(tmp_path, "org/m", cosine, gold)
    ours = build_leaderboard([tmp_path], "demo", resamples=4000).rows[0].tasks["DemoSTS"].interval
    ref = stats.bootstrap((cosine, gold), lambda x, y: stats.spearmanr(x, y).statistic,
                          paired=True, vectorized=False, n_resamples=4000, method="percentile",
                          confidence_level=0.95, rng=np.random.default_rng(1)).confidence_interval
    width = 100 * (ref.high - ref.low)
    assert width > 5  # a real interval, not a degenerate one
    assert ours.low == pytest.approx(100 * ref.low, abs=0.05 * width)
    assert ours.high == pytest.approx(100 * ref.high, abs=0.05 * width)


def test_intervals_are_seeded(tmp_path):
    cosine, gold = sts_data(200)
    write_sts(tmp_path, "org/m", cosine, gold)

    def interval(seed):
        return build_leaderboard([tmp_path], "demo", resamples=300, seed=seed).rows[0] \
            .tasks["DemoSTS"].interval

    assert interval(0) == interval(0)
    assert interval(0) != interval(1)


def test_samples_that_do_not_give_the_stored_score_get_no_interval(tmp_path):
    cosine, gold = sts_data(100)
    write_sts(tmp_path, "org/m", cosine, gold, stored=0.99)
    score = build_leaderboard([tmp_path], "demo", resamples=200).rows[0].tasks["DemoSTS"]
    assert score.value == 99.0 and score.interval is None
    assert "do not belong together" in score.no_interval


def test_an_average_has_an_interval_only_when_every_task_has_one(tmp_path, demo_run):
    rows = build_leaderboard([demo_run], "demo", resamples=200).rows
    full = rows[0]
    (demo_run / "hash" / "hash-v1" / "DemoClustering.samples.json").rename(tmp_path / "kept.json")
    try:
        part = build_leaderboard([demo_run], "demo", resamples=200).rows[0]
    finally:
        (tmp_path / "kept.json").rename(demo_run / "hash" / "hash-v1" / "DemoClustering.samples.json")
    assert part.tasks["DemoClustering"].interval is None
    assert part.tasks["DemoClustering"].no_interval == "no per-sample file"
    assert part.types["Clustering"].interval is None and part.overall.interval is None
    assert part.types["STS"].interval == full.types["STS"].interval  # seeded per task
    assert full.overall.interval is not None


def test_pair_classification_interval_brackets_sklearns_ap(tmp_path):
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 300).astype(float)
    cosine = labels * 0.3 + rng.normal(0, 0.3, 300)
    ap = average_precision_score(labels, cosine)
    write_doc(tmp_path, "org__m", "rev1", "DemoPairClassification",
              cmteb_doc("DemoPairClassification", {"validation": {"cosine_ap": ap}}, model="org/m"))
    (tmp_path / "org__m" / "rev1" / "DemoPairClassification.samples.json").write_text(json.dumps(
        {"task": "DemoPairClassification",
         "splits": {"validation": {"cosine": cosine.tolist(), "label": labels.tolist()}}}))
    score = build_leaderboard([tmp_path], "demo", resamples=300).rows[0].tasks["DemoPairClassification"]
    assert score.interval is not None, score.no_interval
    assert score.interval.low < 100 * ap < score.interval.high


def test_resamples_are_cached_by_content(tmp_path, monkeypatch):
    from cmteb.leaderboard import intervals

    monkeypatch.setenv("CMTEB_CACHE_DIR", str(tmp_path / "cache"))
    cosine, gold = sts_data(150)
    write_sts(tmp_path / "r", "org/m", cosine, gold)
    first = build_leaderboard([tmp_path / "r"], "demo", resamples=200).rows[0].tasks["DemoSTS"]

    def recompute(*args, **kwargs):
        raise AssertionError("recomputed although cached")

    monkeypatch.setattr(intervals, "_replicates", recompute)
    again = build_leaderboard([tmp_path / "r"], "demo", resamples=200).rows[0].tasks["DemoSTS"]
    assert again.interval == first.interval
    write_sts(tmp_path / "r", "org/m", cosine[::-1].copy(), gold)  # other samples: other key
    with pytest.raises(AssertionError, match="recomputed"):
        build_leaderboard([tmp_path / "r"], "demo", resamples=200)


@pytest.mark.parametrize("gold", [[1.0, None, 3.0], [1.0, "x", 3.0], [1.0, 2.0]])
def test_malformed_per_sample_columns_are_a_user_error_naming_the_file(tmp_path, gold):
    from cmteb.errors import UserError

    write_sts(tmp_path, "org/m", np.array([0.1, 0.2, 0.3]), np.array([1.0, 2.0, 3.0]))
    path = tmp_path / "org__m" / "rev1" / "DemoSTS.samples.json"
    path.write_text(json.dumps({"task": "DemoSTS",
                                "splits": {"test": {"cosine": [0.1, 0.2, 0.3], "gold": gold}}}))
    with pytest.raises(UserError, match=r"DemoSTS\.samples\.json: split test"):
        build_leaderboard([tmp_path], "demo", resamples=100)
