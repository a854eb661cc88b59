"""Classification: logistic regression on undersampled train embeddings, as mteb 2's
`AbsTaskClassification._evaluate_subset`.

Undersampling (`undersample`): `idxs` starts as 0..n-1; each experiment shuffles the previous
experiment's permutation with a fresh `np.random.RandomState(seed)` and keeps the first
`samples_per_label` indexes of each label in that order. This is the pinned mteb's procedure and
also mteb 1.1's, used by the published tables: there `np.random.shuffle(idxs)` drew from the
global RNG, but the global RNG was re-seeded with 42 just before every draw (`AbsTask.__init__`
before the first experiment, then `Evaluator.__init__(seed=42)` inside each experiment's
`logRegClassificationEvaluator`). Checked by running mteb 1.1.0's own code; the test suite keeps a
re-implementation of that loop. So both protocols sample identically and there is no
`protocol_variants` block (mteb 1.1 only reported accuracy, f1 and ap, all included here).

The union of all experiments' sampled train texts and the eval texts are embedded in one
`symmetric` call. Each experiment fits `LogisticRegression(max_iter, random_state=seed)` on the
rows in sampled order. Metrics (mean over experiments): accuracy, f1 / precision / recall (macro),
their `_weighted` variants, and for a binary eval set `ap` / `ap_weighted` (sklearn
average_precision on the predicted labels, as mteb); plus `scores_per_experiment`. mteb writes
`ap: NaN` for multi-class sets; cmteb leaves the key out. Samples: `accuracy` per experiment and
`correct` per eval text (the share of the experiments' classifiers that predicted its label), so
`accuracy` (the main score) = mean(`correct`): a paired test can resample eval texts.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
)

from cmteb.evaluators import SplitResult

if TYPE_CHECKING:
    from cmteb.data.types import LabeledTexts
    from cmteb.models.embedder import TaskEmbedder
    from cmteb.protocols import Protocol
    from cmteb.tasks.spec import TaskSpec


def undersample(
    labels: list[int], samples_per_label: int, n_experiments: int, seed: int
) -> list[list[int]]:
    """Train-row indexes per experiment (see module docstring), each in sampled order."""
    idxs = list(range(len(labels)))
    selections = []
    for _ in range(n_experiments):
        np.random.RandomState(seed).shuffle(idxs)
        counts: dict[int, int] = defaultdict(int)
        chosen = []
        for i in idxs:
            if counts[labels[i]] < samples_per_label:
                chosen.append(i)
                counts[labels[i]] += 1
        selections.append(chosen)
    return selections


def prediction_scores(y_true: list[int], y_pred: np.ndarray) -> dict[str, float]:
    """mteb 2's `_calculate_scores`: sklearn metrics of hard predictions (ap only if binary)."""
    scores = {"accuracy": float(accuracy_score(y_true, y_pred))}
    for name, fn in (("f1", f1_score), ("precision", precision_score), ("recall", recall_score)):
        # zero_division=0.0 is sklearn's "warn" value without the warning
        scores[name] = float(fn(y_true, y_pred, average="macro", zero_division=0.0))
        scores[f"{name}_weighted"] = float(
            fn(y_true, y_pred, average="weighted", zero_division=0.0)
        )
    if len(np.unique(y_true)) == 2:
        scores["ap"] = float(average_precision_score(y_true, y_pred, average="macro"))
        scores["ap_weighted"] = float(average_precision_score(y_true, y_pred, average="weighted"))
    return scores


def embed_inputs(spec: TaskSpec, data: LabeledTexts) -> list[list[str]]:
    """The texts of each embed call `evaluate` makes (one: every experiment's train rows, then
    the evaluation texts)."""
    cfg = spec.classification
    selections = undersample(data.train_label, cfg.samples_per_label, cfg.n_experiments, cfg.seed)
    return [[*(data.train_text[i] for i in sorted(set().union(*selections))), *data.text]]


def evaluate(
    spec: TaskSpec, data: LabeledTexts, embed: TaskEmbedder, protocol: Protocol
) -> SplitResult:
    """Score one classification split; identical under both protocols (module docstring)."""
    cfg = spec.classification
    selections = undersample(data.train_label, cfg.samples_per_label, cfg.n_experiments, cfg.seed)
    union = sorted(set().union(*selections))
    emb = embed([*(data.train_text[i] for i in union), *data.text], "symmetric")
    train_emb, eval_emb = emb[: len(union)], emb[len(union) :]
    row_of = {idx: row for row, idx in enumerate(union)}
    experiments, hits = [], np.zeros(len(data.label))
    for chosen in selections:
        clf = LogisticRegression(max_iter=cfg.max_iter, random_state=cfg.seed)
        clf.fit(train_emb[[row_of[i] for i in chosen]], [data.train_label[i] for i in chosen])
        predicted = clf.predict(eval_emb)
        experiments.append(prediction_scores(data.label, predicted))
        hits += predicted == np.asarray(data.label)
    metrics: dict = {key: float(np.mean([e[key] for e in experiments])) for key in experiments[0]}
    metrics["scores_per_experiment"] = experiments
    samples = {"accuracy": [e["accuracy"] for e in experiments],
               "correct": (hits / len(selections)).tolist()}
    return SplitResult(metrics=metrics, samples=samples)
