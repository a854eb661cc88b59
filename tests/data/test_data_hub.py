"""Hub conversions on in-memory tables in the C-MTEB hub layouts that the pinned mteb reads."""

from __future__ import annotations

import pytest
from datasets import Dataset

from cmteb.data.hub import HubTask, MissingSplitError
from cmteb.data.hub_convert import (
    clustering_sets_from_hub,
    labeled_texts_from_hub,
    pair_labels_from_hub,
    pair_scores_from_hub,
    rerank_groups_from_hub,
    rerank_groups_from_rows,
    retrieval_from_hub,
)
from cmteb.data.types import (
    ClusteringSet,
    LabeledTexts,
    PairLabels,
    PairScores,
    RerankGroup,
    RetrievalCorpus,
)
from tests.data.helpers import FakeHub, make_spec, raises_user_error

D = Dataset.from_dict


def test_sts_columns_int_scores_and_extra_columns() -> None:
    # C-MTEB/ATEC (int 0/1 scores); STS22 zh carries extra columns such as id and lang
    table = D({"id": ["1", "2"], "sentence1": ["a", "b"], "sentence2": ["c", "d"],
               "score": [1, 0], "lang": ["zh", "zh"]})
    assert pair_scores_from_hub(table) == PairScores(["a", "b"], ["c", "d"], [1.0, 0.0])


def test_pair_classification_single_row_v1_layout() -> None:
    # C-MTEB/OCNLI: one row holding lists; mteb renames sent1/sent2 and reads `labels`
    table = D({"sent1": [["a", "b"]], "sent2": [["c", "d"]], "labels": [[1, 0]]})
    assert pair_labels_from_hub(table) == PairLabels(["a", "b"], ["c", "d"], [1, 0])


def test_pair_classification_row_layout() -> None:
    table = {"sentence1": ["a"], "sentence2": ["b"], "labels": [1]}
    assert pair_labels_from_hub(table) == PairLabels(["a"], ["b"], [1])


def test_pair_classification_rejects_three_way_labels() -> None:
    table = D({"sent1": [["a"]], "sent2": [["c"]], "labels": [[2]]})
    assert "must be 0 or 1" in raises_user_error(pair_labels_from_hub, table, "Cmnli")


def test_classification_int_labels() -> None:
    # C-MTEB/TNews-classification: text, label (int)
    train = D({"text": ["t1", "t2"], "label": [0, 14]})
    evaluation = D({"text": ["v"], "label": [14]})
    assert labeled_texts_from_hub(train, evaluation) == LabeledTexts(["v"], [14], ["t1", "t2"],
                                                                     [0, 14])


def test_classification_string_labels_map_consistently() -> None:
    # mteb/amazon_massive_intent zh-CN: label holds intent names
    train = D({"text": ["a", "b", "c"], "label": ["play_music", "alarm_set", "play_music"]})
    validation = D({"text": ["x", "y"], "label": ["alarm_set", "weather_query"]})
    test = D({"text": ["z"], "label": ["play_music"]})
    first = labeled_texts_from_hub(train, validation)
    second = labeled_texts_from_hub(train, test)
    assert first.train_label == second.train_label == [1, 0, 1]
    assert first.label == [0, 2] and second.label == [1]


def test_classification_missing_column_is_unknown_layout() -> None:
    message = raises_user_error(labeled_texts_from_hub, D({"sentence": ["a"], "label": [1]}),
                                D({"text": ["a"], "label": [1]}), "TNews (x)", "TNews train")
    assert "TNews train: unknown layout: no column 'text'" in message


def test_clustering_rows_are_sets() -> None:
    # C-MTEB/CLSClusteringS2S: each row is one set
    table = D({"sentences": [["a", "b"], ["c"]], "labels": [["工学", "医学"], ["法学"]]})
    assert clustering_sets_from_hub(table).sets == [ClusteringSet(["a", "b"], ["工学", "医学"]),
                                                    ClusteringSet(["c"], ["法学"])]


def test_clustering_flat_rows_are_one_set() -> None:
    table = D({"sentences": ["a", "b"], "labels": [3, 4]})
    assert clustering_sets_from_hub(table).sets == [ClusteringSet(["a", "b"], ["3", "4"])]


CORPUS = D({"_id": ["d1", "d2", "d3"], "title": ["T", None, ""], "text": ["x", "y", "z"]})
QUERIES = D({"_id": ["q1", "q2", "q3"], "text": ["one", "two", "three"]})
QRELS = D({"query-id": ["q1", "q1", "q2"], "corpus-id": ["d1", "d3", "d2"], "score": [1, 0, 2]})


def test_retrieval_beir_configs() -> None:
    data = retrieval_from_hub(CORPUS, QUERIES, QRELS)
    assert data == RetrievalCorpus(corpus={"d1": "T x", "d2": "y", "d3": "z"},
                                   queries={"q1": "one", "q2": "two"},
                                   qrels={"q1": {"d1": 1, "d3": 0}, "q2": {"d2": 2}})


def test_retrieval_int_ids_and_id_column() -> None:
    corpus = D({"id": [1, 2], "text": ["x", "y"]})
    queries = D({"id": [7], "text": ["q"]})
    qrels = D({"query-id": [7], "corpus-id": [2], "score": [1.0]})
    data = retrieval_from_hub(corpus, queries, qrels)
    assert data.qrels == {"7": {"2": 1}} and data.corpus == {"1": "x", "2": "y"}


def test_retrieval_dangling_qrel_names_row() -> None:
    qrels = D({"query-id": ["q1"], "corpus-id": ["d9"], "score": [1]})
    message = raises_user_error(retrieval_from_hub, CORPUS, QUERIES, qrels, "T2 (mteb/T2)")
    assert "T2 (mteb/T2) qrels row 0: corpus id 'd9'" in message


def test_rerank_from_top_ranked_keeps_candidate_order() -> None:
    top_ranked = D({"query-id": ["q2", "q1"], "corpus-ids": [["d3", "d2", "d1"], ["d3", "d1"]]})
    groups = rerank_groups_from_hub(CORPUS, QUERIES, QRELS, top_ranked).groups
    assert groups == [RerankGroup("two", ["y"], ["z", "T x"]),
                      RerankGroup("one", ["T x"], ["z"])]


def test_rerank_unknown_candidate_is_an_error() -> None:
    top_ranked = D({"query-id": ["q1"], "corpus-ids": [["d1", "d8"]]})
    message = raises_user_error(rerank_groups_from_hub, CORPUS, QUERIES, QRELS, top_ranked)
    assert "top_ranked row 0: corpus id 'd8'" in message


def test_rerank_v1_rows() -> None:
    table = D({"query": ["q"], "positive": [["p1", "p2"]], "negative": [["n"]]})
    assert rerank_groups_from_rows(table).groups == [RerankGroup("q", ["p1", "p2"], ["n"])]


def test_unequal_dict_columns_are_a_user_error() -> None:
    table = {"sentence1": ["a", "b"], "sentence2": ["c"], "score": [1, 2]}
    assert "differ in length" in raises_user_error(pair_scores_from_hub, table)


def test_empty_table_is_a_user_error() -> None:
    table = D({"sentence1": [], "sentence2": [], "score": []})
    assert "no rows" in raises_user_error(pair_scores_from_hub, table, "ATEC")


# ---- HubTask: config choice per layout, with an in-memory source ----

def test_hubtask_classification_loads_train_once() -> None:
    hub = FakeHub({None: {"train": D({"text": ["t"], "label": [0]}),
                          "validation": D({"text": ["v"], "label": [0]}),
                          "test": D({"text": ["w"], "label": [0]})}})
    task = HubTask(make_spec("Classification"), hub)
    assert task.read("validation").text == ["v"] and task.read("test").text == ["w"]
    assert hub.loads.count((None, "train")) == 1


def test_hubtask_classification_without_train_is_not_skippable() -> None:
    hub = FakeHub({None: {"test": D({"text": ["w"], "label": [0]})}})
    with pytest.raises(Exception) as info:
        HubTask(make_spec("Classification"), hub).read("test")
    assert not isinstance(info.value, MissingSplitError)
    assert "train split" in str(info.value)


def test_hubtask_subset_is_the_config() -> None:
    hub = FakeHub({"zh": {"test": D({"sentence1": ["a"], "sentence2": ["b"], "score": [2]})}})
    assert HubTask(make_spec("STS", subset="zh"), hub).read("test").score == [2.0]


def test_hubtask_retrieval_configs_and_only_split_rule() -> None:
    hub = FakeHub({"corpus": {"corpus": CORPUS}, "queries": {"dev": QUERIES}, None: {"dev": QRELS}})
    task = HubTask(make_spec("Retrieval"), hub)
    assert task.read("dev").qrels["q2"] == {"d2": 2}
    with pytest.raises(MissingSplitError):
        task.read("test")


def test_hubtask_retrieval_qrels_config_and_query_spelling() -> None:
    hub = FakeHub({"corpus": {"dev": CORPUS}, "query": {"dev": QUERIES}, "qrels": {"dev": QRELS}})
    assert HubTask(make_spec("Retrieval"), hub).read("dev").queries == {"q1": "one", "q2": "two"}


def test_hubtask_retrieval_unknown_layout() -> None:
    hub = FakeHub({None: {"dev": QRELS}})
    message = raises_user_error(HubTask(make_spec("Retrieval", name="T2Retrieval"), hub).read,
                                "dev")
    assert "T2Retrieval" in message and "org/toy" in message and "no config 'corpus'" in message


def test_hubtask_reranking_mteb2_and_v1_layouts() -> None:
    ranked = D({"query-id": ["q1"], "corpus-ids": [["d2", "d1"]]})
    hub = FakeHub({"corpus": {"dev": CORPUS}, "queries": {"dev": QUERIES}, None: {"dev": QRELS},
                   "top_ranked": {"dev": ranked}})
    assert HubTask(make_spec("Reranking"), hub).read("dev").groups == [
        RerankGroup("one", ["T x"], ["y"])]
    legacy = FakeHub({None: {"dev": D({"query": ["q"], "positive": [["p"]], "negative": [[]]})}})
    assert HubTask(make_spec("Reranking"), legacy).read("dev").groups == [
        RerankGroup("q", ["p"], [])]


def test_hubtask_needs_path_and_revision() -> None:
    spec = make_spec("STS", name="ATEC", revision=None)
    assert "no pinned revision" in raises_user_error(HubTask, spec, FakeHub({}))
    spec = make_spec("STS", name="ATEC", path=None, local="data/ATEC")
    assert "no hub dataset" in raises_user_error(HubTask, spec, FakeHub({}))
