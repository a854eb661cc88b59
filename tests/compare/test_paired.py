"""The paired randomization test: exact p-values by hand, direction, identity, rank invariance."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from cmteb.compare.paired import PairedSamples, paired_test
from cmteb.compare.recipes import recipe_for


def one_split(base, cand, fixed=None) -> PairedSamples:
    base, cand = np.asarray(base, float).reshape(len(base), -1), np.asarray(cand, float)
    return PairedSamples(base, cand.reshape(len(cand), -1),
                         None if fixed is None else np.asarray(fixed, float), ((0, len(base)),))


def test_mean_recipe_exact_p_value_by_hand():
    # differences 1, 2, 3 (mean 2): the 8 swap patterns give mean differences
    # {6, 4, 2, 0, 0, -2, -4, -6} / 3; P(>= 2) = 1/8, so the two-sided p is 2/8
    recipe = recipe_for("Retrieval", "ndcg_at_10", {"ndcg_at_10"})
    result = paired_test(one_split([0, 0, 0], [1, 2, 3]), recipe, resamples=2000, seed=0)
    assert result.exact and result.n == 3
    assert result.p_value == pytest.approx(0.25)
    assert (result.base_score, result.cand_score) == (0.0, 2.0)


def test_identical_systems_have_p_one():
    rng = np.random.default_rng(1)
    gold = rng.uniform(0, 1, 300)
    cosine = gold + rng.normal(0, 0.3, 300)
    recipe = recipe_for("STS", "cosine_spearman", {"cosine", "gold"})
    result = paired_test(one_split(cosine, cosine, gold), recipe, resamples=500, seed=0)
    assert result.p_value == 1.0
    assert result.base_score == pytest.approx(spearmanr(gold, cosine)[0], abs=1e-12)


def test_sts_degradation_is_significant_and_scale_free():
    rng = np.random.default_rng(2)
    gold = rng.uniform(0, 1, 400)
    good = gold + rng.normal(0, 0.2, 400)
    bad = gold + rng.normal(0, 1.5, 400)
    recipe = recipe_for("STS", "cosine_spearman", {"cosine", "gold"})
    result = paired_test(one_split(good, bad, gold), recipe, resamples=1000, seed=0)
    assert result.cand_score < result.base_score
    assert result.p_value < 0.01
    # Spearman depends on order only: shifting and scaling one side changes nothing
    shifted = paired_test(one_split(good, 5 + 0.1 * bad, gold), recipe, resamples=1000, seed=0)
    assert shifted.p_value == result.p_value and shifted.cand_score == pytest.approx(result.cand_score)


def test_small_noise_is_not_significant():
    rng = np.random.default_rng(3)
    gold = rng.integers(0, 2, 300)
    base = gold + rng.normal(0, 1, 300)
    cand = base + rng.normal(0, 0.01, 300)
    recipe = recipe_for("PairClassification", "cosine_ap", {"cosine", "label"})
    result = paired_test(one_split(base, cand, gold), recipe, resamples=1000, seed=0)
    assert result.p_value > 0.05


def test_splits_are_scored_separately_and_averaged():
    # split A: identical systems; split B: candidate better by 1 per sample
    samples = PairedSamples(np.array([[0.0], [0.0], [0.0], [0.0]]),
                            np.array([[0.0], [0.0], [1.0], [1.0]]), None, ((0, 2), (2, 4)))
    recipe = recipe_for("Clustering", "v_measure", {"v_measure"})
    result = paired_test(samples, recipe, resamples=100, seed=0)
    assert (result.base_score, result.cand_score) == (0.0, 0.5)  # mean of split means (0 + 1) / 2


def test_max_pair_metric_takes_the_best_similarity():
    labels = np.array([1, 1, 0, 0])
    cosine = [0.1, 0.2, 0.9, 0.8]  # positives ranked last: AP (1/3 + 2/4) / 2
    dot = [0.9, 0.8, 0.1, 0.2]  # perfect: AP 1
    columns = np.column_stack([cosine, cosine, cosine, dot])
    recipe = recipe_for("PairClassification", "max_ap",
                        {"cosine", "manhattan", "euclidean", "dot", "label"})
    samples = PairedSamples(columns, columns, labels.astype(float), ((0, 4),))
    assert paired_test(samples, recipe, resamples=10, seed=0).base_score == 1.0


@pytest.mark.parametrize(("task_type", "metric", "keys", "expected"), [
    ("STS", "cosine_spearman", {"cosine", "gold"}, ("cosine",)),
    ("STS", "cosine_pearson", {"cosine", "gold"}, None),
    ("PairClassification", "cosine_ap", {"cosine", "label"}, ("cosine",)),
    ("PairClassification", "max_accuracy", {"cosine", "label"}, None),  # similarities missing
    ("PairClassification", "cosine_f1", {"cosine", "label"}, None),
    ("Classification", "accuracy", {"accuracy", "correct"}, ("correct",)),
    ("Classification", "accuracy", {"accuracy"}, ("accuracy",)),
    ("Reranking", "map", {"ap", "map_at_1000"}, ("ap",)),
    ("Reranking", "map_at_1000", {"ap", "map_at_1000"}, ("map_at_1000",)),
    ("Retrieval", "ndcg_at_10", {"query_ids"}, None),
])
def test_recipe_choice(task_type, metric, keys, expected):
    recipe = recipe_for(task_type, metric, keys)
    assert (recipe.keys if recipe else None) == expected
