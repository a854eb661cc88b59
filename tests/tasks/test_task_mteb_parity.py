"""The hub tasks copy the pinned mteb's task metadata, and MTEB(cmn, v1) is mteb's benchmark.

Reads mteb's in-package task objects only (no network, no dataset download).
"""

from __future__ import annotations

from typing import Any

import pytest

from cmteb.tasks.registry import TaskRegistry

mteb = pytest.importorskip("mteb")

HUB_TASKS = [
    "T2Retrieval", "MMarcoRetrieval", "DuRetrieval", "CovidRetrieval", "CmedqaRetrieval",
    "EcomRetrieval", "MedicalRetrieval", "VideoRetrieval",
    "T2Reranking", "MMarcoReranking", "CMedQAv1-reranking", "CMedQAv2-reranking",
    "ATEC", "BQ", "LCQMC", "PAWSX", "STSB", "AFQMC", "QBQTC", "STS22",
    "Ocnli", "Cmnli",
    "TNews", "IFlyTek", "MultilingualSentiment", "JDReview", "OnlineShopping", "Waimai",
    "AmazonReviewsClassification", "MassiveIntentClassification", "MassiveScenarioClassification",
    "CLSClusteringS2S", "CLSClusteringP2P", "ThuNewsClusteringS2S", "ThuNewsClusteringP2P",
]


@pytest.fixture(scope="module")
def mteb_tasks() -> dict[str, Any]:
    return {name: mteb.get_task(name) for name in HUB_TASKS}


@pytest.fixture(scope="module")
def mteb_benchmark() -> Any:
    return mteb.get_benchmark("MTEB(cmn, v1)")


def test_the_pinned_mteb_is_the_one_the_yamls_were_copied_from() -> None:
    assert mteb.__version__ == "2.26.24"


@pytest.mark.parametrize("name", HUB_TASKS)
def test_metadata_equals_mteb(name: str, registry: TaskRegistry, mteb_tasks: dict) -> None:
    spec, task = registry.get(name), mteb_tasks[name]
    md = task.metadata
    assert (spec.name, spec.type) == (md.name, md.type)
    assert spec.dataset.path == md.dataset["path"]
    assert spec.dataset.revision == md.dataset["revision"]
    assert spec.splits.mteb == list(md.eval_splits)
    assert spec.main_score.mteb == md.main_score
    assert spec.prompt == md.prompt
    assert (spec.description, spec.reference, spec.category) == (
        md.description, md.reference, md.category)


@pytest.mark.parametrize("name", HUB_TASKS)
def test_subset_is_one_mteb_evaluates(name: str, registry: TaskRegistry, mteb_tasks: dict) -> None:
    spec, md = registry.get(name), mteb_tasks[name].metadata
    if isinstance(md.eval_langs, dict):
        assert spec.dataset.subset in md.eval_langs
        assert {lang.split("-")[1] for lang in md.eval_langs[spec.dataset.subset]} == {"Hans"}
    else:
        assert spec.dataset.subset is None
        assert md.eval_langs == spec.languages


@pytest.mark.parametrize("name", HUB_TASKS)
def test_type_settings_equal_mteb(name: str, registry: TaskRegistry, mteb_tasks: dict) -> None:
    spec, task = registry.get(name), mteb_tasks[name]
    if spec.type == "STS":
        assert (spec.sts.min_score, spec.sts.max_score) == (task.min_score, task.max_score)
    elif spec.type == "Classification":
        cls = spec.classification
        assert (cls.samples_per_label, cls.n_experiments, cls.train_split) == (
            task.samples_per_label, task.n_experiments, task.train_split)
    elif spec.type in ("Retrieval", "Reranking"):
        assert spec.retrieval.k_values == list(task.k_values)


def test_mteb_cmn_v1_equals_mteb_benchmark(registry: TaskRegistry, mteb_benchmark: Any) -> None:
    bench = registry.benchmark("MTEB(cmn, v1)")
    assert bench.name == mteb_benchmark.name
    assert bench.aliases == list(mteb_benchmark.aliases)
    assert bench.tasks == [t.metadata.name for t in mteb_benchmark.tasks]
    for task in mteb_benchmark.tasks:
        name = task.metadata.name
        effective = bench.splits.get(name) or registry.get(name).splits.mteb
        assert effective == list(task.eval_splits), name
    narrowed = {t.metadata.name for t in mteb_benchmark.tasks
                if list(t.eval_splits) != list(t.metadata.eval_splits)}
    assert narrowed == set(bench.splits) == {"ATEC", "BQ", "STSB"}


def test_c_mteb_has_the_tasks_of_mteb_benchmark(registry: TaskRegistry, mteb_benchmark) -> None:
    names = {t.metadata.name for t in mteb_benchmark.tasks}
    assert set(registry.benchmark("C-MTEB").tasks) == names
    assert set(registry.benchmark("C-MTEB-35").tasks) - names == {
        "STS22", "AmazonReviewsClassification", "MassiveIntentClassification",
        "MassiveScenarioClassification"}


def _mteb_sizes(task: Any, subset: str | None) -> dict[str, dict[str, int]]:
    """{split: counts} in cmteb's names from the pinned mteb's descriptive statistics."""
    out = {}
    for split, stats in task.metadata.descriptive_stats.items():
        if subset is not None:
            stats = stats["hf_subset_descriptive_stats"][subset]
        kind = task.metadata.type
        if kind in ("STS", "PairClassification"):
            out[split] = {"pairs": stats["num_samples"]}
        elif kind == "Classification":
            out[split] = {"samples": stats["num_samples"]}
        elif kind == "Clustering":
            out[split] = {"texts": stats["num_samples"]}
        elif kind == "Retrieval":
            out[split] = {"queries": stats["num_queries"], "corpus": stats["num_documents"],
                          "relevant_qrels": stats["relevant_docs_statistics"]["num_relevant_docs"]}
        else:
            out[split] = {"queries": stats["num_queries"],
                          "candidates": stats["top_ranked_statistics"]["num_top_ranked"],
                          "positives": stats["relevant_docs_statistics"]["num_relevant_docs"]}
    return out


@pytest.mark.parametrize("name", HUB_TASKS)
def test_expected_size_equals_mteb_descriptive_statistics(
    name: str, registry: TaskRegistry, mteb_tasks: dict
) -> None:
    spec = registry.get(name)
    assert spec.expected_size == _mteb_sizes(mteb_tasks[name], spec.dataset.subset)


@pytest.mark.parametrize("name", HUB_TASKS)
def test_fast_loading_as_mteb(name: str, registry: TaskRegistry, mteb_tasks: dict) -> None:
    assert registry.get(name).dataset.fast_loading == bool(mteb_tasks[name].fast_loading)
