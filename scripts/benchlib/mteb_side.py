"""The pinned mteb on the same local files: real mteb task objects (bench-only tasks: mteb's
abstract task classes) whose in-memory datasets are read from the workload folder, run with
`mteb.evaluate` and sentence-transformers, as a user of mteb would."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

from benchlib.workload import BenchTask

# The e5 convention cmteb's policy follows: "query: " on queries and symmetric tasks.
PROMPTS = {"query": "query: ", "document": "passage: ", "STS": "query: ",
           "PairClassification": "query: ", "Classification": "query: ", "Clustering": "query: "}
_GENERAL = {
    "description": "cmteb benchmark workload", "reference": "https://github.com/CLUEbenchmark/QBQTC",
    "dataset": {"path": "NA", "revision": "NA"}, "category": "t2t", "eval_langs": ["cmn-Hans"],
    "date": ("2021-01-01", "2021-12-31"), "dialect": ["Written"], "domains": [], "task_subtypes": [],
    "license": "not specified", "annotations_creators": "human-annotated", "modalities": ["text"],
    "sample_creation": "found", "bibtex_citation": "",
}


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _columns(rows: list[dict], names: dict[str, str]) -> dict[str, list]:
    return {new: [r[old] for r in rows] for old, new in names.items()}


def _retrieval_split(folder: Path) -> Any:
    from datasets import Dataset
    from mteb.abstasks.retrieval_dataset_loaders import RetrievalSplitData

    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels" / "dev.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, did, score = line.split("\t")
        qrels.setdefault(qid, {})[did] = int(score)
    queries = [{"id": q["_id"], "text": q["text"]} for q in _rows(folder / "queries.jsonl")]
    return RetrievalSplitData(
        queries=Dataset.from_list(queries),
        corpus=Dataset.from_list([{"id": d["_id"], "text": d["text"], "title": d.get("title", "")}
                                  for d in _rows(folder / "corpus.jsonl")]),
        relevant_docs=qrels, top_ranked=None)


def _bench_only(task: BenchTask, folder: Path) -> Any:
    from datasets import Dataset, DatasetDict
    from mteb.abstasks.retrieval import AbsTaskRetrieval
    from mteb.abstasks.task_metadata import TaskMetadata
    from mteb.abstasks.text import reranking

    meta = TaskMetadata(type=task.type, name=task.name, main_score=task.mteb_metric,
                        eval_splits=[task.split], **_GENERAL)
    if task.type == "Retrieval":
        obj = type(task.name, (AbsTaskRetrieval,), {"metadata": meta})()
        obj.dataset = {"default": {task.split: _retrieval_split(folder)}}
    else:
        reranking.OLD_FORMAT_RERANKING_TASKS.append(task.name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            obj = type(task.name, (reranking.AbsTaskReranking,), {"metadata": meta})()
        rows = _rows(folder / f"{task.split}.jsonl")
        obj.transform_old_dataset_format(DatasetDict({task.split: Dataset.from_dict(
            _columns(rows, {"query": "query", "positive": "positive", "negative": "negative"}))}))
    return obj


def mteb_task(task: BenchTask, root: Path) -> Any:
    """The mteb task object of `task` holding the workload data of `root/<task>`."""
    import mteb
    from datasets import Dataset, DatasetDict

    folder = root / task.name
    if task.bench_only:
        obj = _bench_only(task, folder)
    else:
        obj = mteb.get_task(task.name).filter_eval_splits([task.split])
        rows = _rows(folder / f"{task.split}.jsonl")
        if task.type == "STS":
            split = _columns(rows, {"sentence1": "sentence1", "sentence2": "sentence2", "score": "score"})
        elif task.type == "PairClassification":
            split = _columns(rows, {"sentence1": "sentence1", "sentence2": "sentence2", "label": "labels"})
        else:
            split = _columns(rows, {"text": "text", "label": "label"})
        splits = {task.split: Dataset.from_dict(split)}
        if task.type == "Classification":
            splits["train"] = Dataset.from_dict(_columns(_rows(folder / "train.jsonl"),
                                                         {"text": "text", "label": "label"}))
        obj.dataset = {"default": DatasetDict(splits)}
    obj.data_loaded = True
    return obj


def load_model(path: str, device: str = "cpu") -> Any:
    from mteb.models.sentence_transformer_wrapper import SentenceTransformerEncoderWrapper

    logging.getLogger("mteb").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SentenceTransformerEncoderWrapper(path, device=device, model_prompts=PROMPTS)


def run_task(model: Any, task: BenchTask, root: Path, batch_size: int) -> float:
    """Build the task from the files and evaluate it with mteb.evaluate; its main score."""
    import mteb

    obj = mteb_task(task, root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = mteb.evaluate(model, [obj], cache=None, show_progress_bar=False,
                               encode_kwargs={"batch_size": batch_size})
    return float(result.task_results[0].scores[task.split][0]["main_score"])
