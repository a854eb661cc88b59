"""The repository's task YAMLs and benchmark manifests: they load, and say what they should."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmteb.tasks.registry import TYPE_DIRS, TaskRegistry, tasks_root
from cmteb.tasks.spec import TaskSpec
from cmteb.tasks.yaml_loader import parse_model

CMTEB_31 = [
    "T2Retrieval", "MMarcoRetrieval", "DuRetrieval", "CovidRetrieval", "CmedqaRetrieval",
    "EcomRetrieval", "MedicalRetrieval", "VideoRetrieval",
    "T2Reranking", "MMarcoReranking", "CMedQAv1-reranking", "CMedQAv2-reranking",
    "ATEC", "BQ", "LCQMC", "PAWSX", "STSB", "AFQMC", "QBQTC",
    "Ocnli", "Cmnli",
    "TNews", "IFlyTek", "MultilingualSentiment", "JDReview", "OnlineShopping", "Waimai",
    "CLSClusteringS2S", "CLSClusteringP2P", "ThuNewsClusteringS2S", "ThuNewsClusteringP2P",
]
EXTRA_4 = {
    "STS22": "zh",
    "AmazonReviewsClassification": "zh",
    "MassiveIntentClassification": "zh-CN",
    "MassiveScenarioClassification": "zh-CN",
}
DEMO_6 = ["DemoRetrieval", "DemoReranking", "DemoSTS", "DemoPairClassification",
          "DemoClassification", "DemoClustering"]

# Where the cmteb protocol (FlagEmbedding's 2023 C-MTEB definitions) differs from the pinned mteb.
CMTEB_SPLITS = {
    "MultilingualSentiment": ["validation"],
    "ATEC": ["test"], "BQ": ["test"], "STSB": ["test"],
    "AmazonReviewsClassification": ["test"],
    "MassiveIntentClassification": ["test"],
    "MassiveScenarioClassification": ["test"],
}
CMTEB_MAIN = {
    "Ocnli": "cosine_ap", "Cmnli": "cosine_ap",
    "T2Reranking": "map", "MMarcoReranking": "map",
    "CMedQAv1-reranking": "map", "CMedQAv2-reranking": "map",
}


def _task_files() -> list[Path]:
    root = tasks_root()
    return [p for p in sorted(root.rglob("*.yaml"))
            if p.parent.name != "benchmarks" and "data" not in p.relative_to(root).parts]


@pytest.mark.parametrize("path", _task_files(), ids=lambda p: p.stem)
def test_every_task_yaml_validates(path: Path) -> None:
    spec = parse_model(path, TaskSpec)
    assert path.stem == spec.name
    expected_type = TYPE_DIRS.get(path.parent.name)
    assert expected_type in (None, spec.type)


def test_registry_holds_the_35_hub_tasks_and_6_demo_tasks(registry: TaskRegistry) -> None:
    assert sorted(registry.names()) == sorted(CMTEB_31 + list(EXTRA_4) + DEMO_6)


def test_hub_tasks_live_in_their_type_folder_and_pin_a_revision(registry: TaskRegistry) -> None:
    for name in CMTEB_31 + list(EXTRA_4):
        spec = registry.get(name)
        assert TYPE_DIRS[registry.origin(name).parent.name] == spec.type
        assert spec.dataset.path and spec.dataset.local is None
        assert spec.dataset.revision and len(spec.dataset.revision) == 40
        assert spec.dataset.subset == EXTRA_4.get(name)


def test_cmteb_protocol_columns(registry: TaskRegistry) -> None:
    """cmteb differs from mteb exactly where FlagEmbedding's 2023 definitions do."""
    for name in CMTEB_31 + list(EXTRA_4):
        spec = registry.get(name)
        assert spec.splits.cmteb == CMTEB_SPLITS.get(name, spec.splits.mteb), name
        assert spec.main_score.cmteb == CMTEB_MAIN.get(name, spec.main_score.mteb), name


def test_c_mteb_is_the_default_31(registry: TaskRegistry) -> None:
    bench = registry.benchmark("C-MTEB")
    assert bench.tasks == CMTEB_31
    assert bench.protocol == "cmteb" and bench.splits == {}
    assert [s.name for s in registry.by_types(["sts"])] == CMTEB_31[12:19]


def test_c_mteb_35_adds_the_four_extra_tasks(registry: TaskRegistry) -> None:
    bench = registry.benchmark("c-mteb-35")
    assert len(bench.tasks) == 35
    assert sorted(bench.tasks) == sorted(CMTEB_31 + list(EXTRA_4))
    assert bench.protocol == "cmteb"


def test_mteb_cmn_v1_manifest(registry: TaskRegistry) -> None:
    bench = registry.benchmark("MTEB(cmn, v1)")
    assert bench.protocol == "mteb"
    assert sorted(bench.tasks) == sorted(CMTEB_31)
    assert bench.splits == {"ATEC": ["test"], "BQ": ["test"], "STSB": ["test"]}
    for alias in ("MTEB(Chinese)", "CMTEB", "mteb(cmn, v1)"):
        assert registry.benchmark(alias) is bench


def test_demo_benchmark(registry: TaskRegistry) -> None:
    bench = registry.benchmark("demo")
    assert bench.tasks == DEMO_6
    assert sorted({registry.get(n).type for n in bench.tasks}) == sorted(set(TYPE_DIRS.values()))


def test_benchmark_names(registry: TaskRegistry) -> None:
    assert registry.benchmark_names() == ["C-MTEB", "C-MTEB-35", "MTEB(cmn, v1)", "demo"]


def test_default_root_is_the_repository_tasks_folder() -> None:
    assert (tasks_root() / "benchmarks" / "c-mteb.yaml").is_file()
    assert TaskRegistry().root == tasks_root().resolve()


def test_every_task_gives_expected_sizes_for_all_its_splits(registry: TaskRegistry) -> None:
    for name in registry.names():
        spec = registry.get(name)
        splits = set(spec.all_splits()) | ({spec.train_split} if spec.classification else set())
        assert set(spec.expected_size) == splits, name
