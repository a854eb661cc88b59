"""The hub-layout fixtures are loadable by the pinned mteb's own loaders (so they are laid out the
way mteb reads the real repos), and cmteb reads the same texts, labels and judgements from them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cmteb.data.hub import MIRROR_VAR
from cmteb.data.loader import load_task_data
from cmteb.data.types import (
    ClusteringSets,
    LabeledTexts,
    PairLabels,
    PairScores,
    RerankGroups,
    RetrievalCorpus,
)
from tests.data.test_data_hub_fixtures import REGISTRY, TASKS, fixture_spec

mteb = pytest.importorskip("mteb")
corpus_text = pytest.importorskip("mteb._create_dataloaders")._corpus_to_dict


def _mteb_data(name: str, mirror: Path) -> dict[str, Any]:
    """mteb's dataset of the task's subset, {split: data}, loaded from the fixture repo."""
    spec = REGISTRY.get(name)
    subset = spec.dataset.subset
    task = mteb.get_task(name, hf_subsets=[subset]) if subset else mteb.get_task(name)
    task.metadata = task.metadata.model_copy(deep=True)  # the class's metadata stays as it is
    task.metadata.dataset["path"] = str(mirror / spec.dataset.path)
    task.load_data()
    data = task.dataset
    if subset or spec.type in ("Retrieval", "Reranking"):
        data = data[subset or "default"]
    return data


def _column(split: Any, name: str) -> list[Any]:
    values = split[name]
    return values[0] if len(split) == 1 and isinstance(values[0], list) else list(values)


def _same_partition(ours: list[int], theirs: list[Any]) -> bool:
    """True when the two label lists name the same classes (a bijection maps one on the other)."""
    pairs = set(zip(ours, theirs, strict=True))
    return len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs})


def _passages(corpus: Any) -> dict[str, str]:
    return {row["id"]: corpus_text(row)["text"] for row in corpus}


@pytest.mark.parametrize("name", TASKS)
def test_cmteb_reads_what_mteb_reads_from_the_fixture(
    name: str, hub_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MIRROR_VAR, str(hub_mirror))
    spec = fixture_spec(name)
    ours = load_task_data(spec, yaml_path=REGISTRY.origin(name), required_splits=spec.all_splits(),
                          optional_splits=[], data_dir=None).splits
    theirs = _mteb_data(name, hub_mirror)
    for split, data in ours.items():
        other = theirs[split]
        if isinstance(data, PairScores):
            assert (data.sentence1, data.sentence2) == (list(other["sentence1"]),
                                                        list(other["sentence2"]))
            assert data.score == [float(s) for s in other["score"]]
        elif isinstance(data, PairLabels):
            assert data.sentence1 == _column(other, "sentence1")
            assert data.sentence2 == _column(other, "sentence2")
            assert data.label == _column(other, "labels")
        elif isinstance(data, LabeledTexts):
            train = theirs[spec.train_split]
            assert (data.text, data.train_text) == (list(other["text"]), list(train["text"]))
            assert _same_partition(data.label + data.train_label,
                                   list(other["label"]) + list(train["label"]))
        elif isinstance(data, ClusteringSets):
            assert [s.sentences for s in data.sets] == list(other["sentences"])
            assert [s.labels for s in data.sets] == [[str(x) for x in ls] for ls in other["labels"]]
        elif isinstance(data, RetrievalCorpus):
            assert data.corpus == _passages(other["corpus"])
            assert data.queries == {row["id"]: row["text"] for row in other["queries"]}
            assert data.qrels == other["relevant_docs"]
        else:
            assert isinstance(data, RerankGroups)
            passages, relevant = _passages(other["corpus"]), other["relevant_docs"]
            texts = {row["id"]: row["text"] for row in other["queries"]}
            expected = [(texts[q], [passages[d] for d in ids if relevant[q].get(d, 0) > 0],
                         [passages[d] for d in ids if relevant[q].get(d, 0) <= 0])
                        for q, ids in other["top_ranked"].items()]
            assert [(g.query, g.positive, g.negative) for g in data.groups] == expected
    assert mteb.get_task(name).metadata.dataset["path"] == spec.dataset.path
