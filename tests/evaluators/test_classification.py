"""Classification: undersampling equals both mteb 2's and mteb 1.1's procedures, metrics equal the
pinned mteb's AbsTaskClassification on the same embeddings and seeds."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

import numpy as np
import pytest

from cmteb.data.types import LabeledTexts
from cmteb.evaluators import classification
from cmteb.protocols import PROTOCOLS
from tests.conftest import make_spec
from tests.evaluators._support import FakeEmbed, make_mteb_task, run_mteb_task


def labels_of(n: int, n_labels: int) -> list[int]:
    return [(i * 7 + i // 5) % n_labels for i in range(n)]


def first_per_label(idxs, labels, per_label):
    counts, chosen = defaultdict(int), []
    for i in idxs:
        if counts[labels[i]] < per_label:
            chosen.append(int(i))
            counts[labels[i]] += 1
    return chosen


def mteb11_selections(labels, per_label, n_experiments, seed=42):
    """mteb 1.1.0's loop, re-implemented from its source: `AbsTask.__init__` seeds the global RNG;
    each experiment calls `np.random.shuffle(idxs)` on the same `np.arange` array, then builds a
    `logRegClassificationEvaluator`, whose `Evaluator.__init__(seed=42)` re-seeds the global RNG."""
    state = np.random.get_state()
    try:
        np.random.seed(seed)  # AbsTask.__init__
        idxs, out = None, []
        for _ in range(n_experiments):
            if idxs is None:
                idxs = np.arange(len(labels))
            np.random.shuffle(idxs)
            out.append(first_per_label(idxs, labels, per_label))
            np.random.seed(seed)  # Evaluator.__init__ of this experiment's evaluator
        return out
    finally:
        np.random.set_state(state)


def single_stream_selections(labels, per_label, n_experiments, seed=42):
    """The reading that ignores `Evaluator.__init__`'s re-seed: one RandomState for all draws."""
    rng, idxs, out = np.random.RandomState(seed), np.arange(len(labels)), []
    for _ in range(n_experiments):
        rng.shuffle(idxs)
        out.append(first_per_label(idxs, labels, per_label))
    return out


@pytest.mark.parametrize(("n", "n_labels", "per_label", "n_exp"), [(40, 3, 3, 4), (97, 5, 8, 10)])
def test_undersampling_equals_mteb2_and_mteb11(n, n_labels, per_label, n_exp):
    from datasets import Dataset
    from mteb.abstasks.classification import AbsTaskClassification

    labels = labels_of(n, n_labels)
    ours = classification.undersample(labels, per_label, n_exp, seed=42)
    fake_task = SimpleNamespace(seed=42, samples_per_label=per_label, label_column_name="label")
    dataset, idxs, mteb2 = Dataset.from_dict({"label": labels}), None, []
    for i in range(n_exp):
        _, idxs, chosen = AbsTaskClassification._undersample_data(fake_task, dataset, i, idxs)
        mteb2.append(chosen)
    assert ours == mteb2
    assert ours == mteb11_selections(labels, per_label, n_exp)
    # experiment 0 agrees with the single-stream reading; later ones do not
    stream = single_stream_selections(labels, per_label, n_exp)
    assert stream[0] == ours[0] and stream[1:] != ours[1:]


def classification_data(n_labels: int) -> LabeledTexts:
    train_labels = labels_of(60, n_labels)
    eval_labels = labels_of(25, n_labels)[::-1]
    return LabeledTexts(
        text=[f"c{y}|e{i}" for i, y in enumerate(eval_labels)],
        label=eval_labels,
        train_text=[f"c{y}|t{i}" for i, y in enumerate(train_labels)],
        train_label=train_labels,
    )


@pytest.mark.parametrize("n_labels", [2, 3])
def test_matches_mteb(n_labels):
    from datasets import Dataset, DatasetDict
    from mteb.abstasks.classification import AbsTaskClassification

    data = classification_data(n_labels)
    spec = make_spec("Classification", classification={"samples_per_label": 6, "n_experiments": 4})
    ours = classification.evaluate(spec, data, FakeEmbed(), PROTOCOLS["cmteb"])
    task = make_mteb_task(AbsTaskClassification, "Classification", "accuracy",
                          samples_per_label=6, n_experiments=4)
    dataset = DatasetDict({
        "train": Dataset.from_dict({"text": data.train_text, "label": data.train_label}),
        "test": Dataset.from_dict({"text": data.text, "label": data.label}),
    })
    theirs = run_mteb_task(task, dataset)
    nan_ap = {"ap", "ap_weighted"} if n_labels > 2 else set()  # mteb: NaN; cmteb: left out
    assert set(ours.metrics) == set(theirs) - {"main_score"} - nan_ap
    for key, value in ours.metrics.items():
        if key != "scores_per_experiment":
            assert value == pytest.approx(theirs[key], abs=1e-12), key
    for mine, mteb_exp in zip(ours.metrics["scores_per_experiment"],
                              theirs["scores_per_experiment"], strict=True):
        assert mine == pytest.approx({k: v for k, v in mteb_exp.items() if v is not None})
    assert ours.samples["accuracy"] == [e["accuracy"] for e in ours.metrics["scores_per_experiment"]]
    # per eval text: the share of experiments that got it right; their mean is the accuracy
    assert len(ours.samples["correct"]) == len(data.label)
    assert set(ours.samples["correct"]) <= {k / 10 for k in range(11)}
    assert np.mean(ours.samples["correct"]) == pytest.approx(ours.metrics["accuracy"], abs=1e-12)
    assert "protocol_variants" not in ours.metrics


def test_embeds_sampled_train_union_and_eval_texts_once():
    data = classification_data(3)
    spec = make_spec("Classification", classification={"samples_per_label": 2, "n_experiments": 3})
    embed = FakeEmbed()
    classification.evaluate(spec, data, embed, PROTOCOLS["mteb"])
    selections = classification.undersample(data.train_label, 2, 3, 42)
    union = sorted(set().union(*selections))
    assert embed.calls == [("symmetric", [data.train_text[i] for i in union] + data.text)]
    assert len(union) < len(data.train_text)
