"""Hand-written result documents of each generation, a writer for the results layout, and the
`cmteb` command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from cmteb.leaderboard.records import ResultFile, TaskConvention

ROOT = Path(__file__).resolve().parents[2]
CLI_ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}


def run_cmteb(*args: str) -> subprocess.CompletedProcess:
    """`python -m cmteb ARGS` from the project root, offline; output captured as text."""
    return subprocess.run([sys.executable, "-m", "cmteb", *args], cwd=ROOT, env=CLI_ENV,
                          capture_output=True, text=True, timeout=600)


# The demo benchmark's main metric per task (protocol cmteb), as tasks/demo/*.yaml define it.
DEMO_METRICS = {
    "DemoRetrieval": ("dev", "ndcg_at_10"), "DemoReranking": ("dev", "map"),
    "DemoSTS": ("test", "cosine_spearman"), "DemoPairClassification": ("validation", "cosine_ap"),
    "DemoClassification": ("test", "accuracy"), "DemoClustering": ("test", "v_measure"),
}


HARDWARE = {"platform": "Linux", "python": "3.11", "processor": "x86_64", "cpu_count": 2,
            "device": "cpu"}


def cmteb_doc(task: str, scores: dict[str, dict[str, float]], *, model: str = "org/model",
              protocol: str = "cmteb", subset: str = "default", variants: dict | None = None,
              mteb_version: str = "2.26.24", date: float = 1.7e9, **block: Any) -> dict[str, Any]:
    """A cmteb result: `scores` is {split: {metric: value}} (0-1)."""
    entries = {}
    for split, metrics in scores.items():
        entry = {**metrics, "main_score": next(iter(metrics.values())), "hf_subset": subset,
                 "languages": ["cmn-Hans"]}
        if variants and split in variants:
            entry["protocol_variants"] = variants[split]
        entries[split] = [entry]
    cmteb_block = {"protocol": protocol, "model": {"name": model, "revision": "rev"},
                   "task_version": 1, "quick": False,
                   "data": {"kind": "local", "location": "x", "revision": None, "fingerprint": "f"},
                   "cmteb_version": "0.1.0", "hardware": HARDWARE,
                   "encoding": {"texts": 100, "encoded": 100, "encode_s": 0.5, "dtype": "fp32"},
                   "timings": {"evaluation_s": 1.0}, **block}
    return {"dataset_revision": "f", "task_name": task, "mteb_version": mteb_version,
            "scores": entries, "evaluation_time": 1.0, "date": date, "cmteb": cmteb_block}


def mteb_doc(task: str, scores: dict[str, dict[str, dict[str, float]]], *,
             mteb_version: str = "2.10.12") -> dict[str, Any]:
    """An mteb TaskResult without a cmteb block: `scores` is {split: {subset: {metric: value}}}."""
    return {"dataset_revision": "r", "task_name": task, "mteb_version": mteb_version,
            "scores": {split: [{**m, "hf_subset": sub, "main_score": 0.0} for sub, m in subs.items()]
                       for split, subs in scores.items()},
            "evaluation_time": 1.0, "kg_co2_emissions": None}


def old_doc(task: str, splits: dict[str, Any], *, mteb_version: str = "1.1.0") -> dict[str, Any]:
    """An mteb 1.x file: splits at the top level, nested metric groups or language sub-dicts."""
    return {"dataset_revision": None, "mteb_dataset_name": task, "mteb_version": mteb_version,
            **splits}


def write_doc(root: Path, model_folder: str, revision: str, name: str, doc: Any) -> Path:
    path = root / model_folder / revision / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def write_demo_model(root: Path, model: str, values: dict[str, float], **kwargs: Any) -> None:
    """cmteb results of `model` for the demo tasks given in `values` (task -> 0-1 score)."""
    for task, value in values.items():
        split, metric = DEMO_METRICS[task]
        doc = cmteb_doc(task, {split: {metric: value}}, model=model, **kwargs)
        write_doc(root, model.replace("/", "__"), "rev1", task, doc)


def convention(task: str = "T", task_type: str = "STS", *, metric: str = "cosine_spearman",
               splits: tuple[str, ...] = ("test",), subset: str = "default",
               protocol: str = "cmteb") -> TaskConvention:
    return TaskConvention(task=task, type=task_type, protocol=protocol, splits=splits,
                          subset=subset, metric=metric, version=1, dataset_path="hub/path",
                          dataset_revision="pinned")


def result_file(scores: dict, *, task: str = "T", mteb_version: str | None = "2.10.12",
                cmteb: dict | None = None, variants: dict | None = None, date: float | None = None,
                revision: str = "rev", path: str = "/r/org__m/rev/T.json") -> ResultFile:
    return ResultFile(path=Path(path), task=task, model="org/m", revision=revision,
                      mteb_version=mteb_version, date=date, dataset_revision=None, scores=scores,
                      variants=variants or {}, cmteb=cmteb)
