"""The benchmark workload: local copies of the --data tasks (optionally the first N rows of each
task) in cmteb's local layout, read by both pipelines, plus two bench-only task definitions.

- STSB (test), AFQMC (validation), Ocnli (validation), TNews (validation + train): C-MTEB tasks.
- QBQTCDevRetrieval (dev): the real QBQTC retrieval set in --data (not a C-MTEB task).
- QBQTCDevReranking (dev): built here from the same real texts, as CMedQA's reranking sets were
  built: each query's candidates are its relevant titles plus 19 relevant titles of other queries
  (seeded draw). Candidates recur across queries, as in C-MTEB reranking data: the workload with
  many repeated texts.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

NEGATIVES = 19
RERANK_QUERIES = 1000


@dataclass(frozen=True)
class BenchTask:
    name: str
    type: str
    split: str
    mteb_metric: str  # the pinned mteb's main score of the task
    bench_only: bool = False
    repeated: bool = False  # the workload with many repeated texts (reported on its own)


TASKS = (
    BenchTask("STSB", "STS", "test", "cosine_spearman"),
    BenchTask("AFQMC", "STS", "validation", "cosine_spearman"),
    BenchTask("Ocnli", "PairClassification", "validation", "max_accuracy"),
    BenchTask("TNews", "Classification", "validation", "accuracy"),
    BenchTask("QBQTCDevRetrieval", "Retrieval", "dev", "ndcg_at_10", bench_only=True),
    BenchTask("QBQTCDevReranking", "Reranking", "dev", "map_at_1000", bench_only=True, repeated=True),
)

_YAML = """name: {name}
type: {type}
description: "cmteb benchmark workload (scripts/benchlib/workload.py); not a C-MTEB task"
category: t2t
dataset:
  local: {name}
languages: [cmn-Hans]
splits:
  cmteb: [{split}]
  mteb: [{split}]
main_score:
  cmteb: {metric}
  mteb: {metric}
version: 1
retrieval:
  k_values: [1, 3, 5, 10, 20, 100, 1000]
"""


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write_rows(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _last_judgements(lines: list[str]) -> list[str]:
    """Header and qrels with a repeated (query, doc) pair kept once, its last score (the shared
    QBQTC qrels judge 3 pairs twice, which cmteb refuses; mteb's loader keeps the last)."""
    last = {tuple(line.split("\t")[:2]): line for line in lines[1:]}
    return [lines[0], *last.values()]


def _retrieval(src: Path, dst: Path, limit: int | None) -> None:
    qrels_lines = _last_judgements((src / "qrels" / "dev.tsv").read_text(encoding="utf-8").splitlines())
    queries = _rows(src / "queries.jsonl")
    corpus = _rows(src / "corpus.jsonl")
    if limit is not None:
        queries = queries[:limit]
        kept = {q["_id"] for q in queries}
        qrels_lines = [qrels_lines[0]] + [ln for ln in qrels_lines[1:] if ln.split("\t")[0] in kept]
        needed = {ln.split("\t")[1] for ln in qrels_lines[1:]}
        corpus = [d for i, d in enumerate(corpus) if d["_id"] in needed or i < 2 * limit]
    _write_rows(dst / "queries.jsonl", queries)
    _write_rows(dst / "corpus.jsonl", corpus)
    (dst / "qrels").mkdir(parents=True, exist_ok=True)
    (dst / "qrels" / "dev.tsv").write_text("\n".join(qrels_lines) + "\n", encoding="utf-8")


def _reranking(retrieval_dir: Path, dst: Path, n_queries: int) -> None:
    """CMedQA-style groups from the (already limited) retrieval copy (module docstring)."""
    text = {d["_id"]: d["text"] for d in _rows(retrieval_dir / "corpus.jsonl")}
    relevant: dict[str, list[str]] = {}
    for line in (retrieval_dir / "qrels" / "dev.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, did, score = line.split("\t")
        if int(score) > 0:
            relevant.setdefault(qid, []).append(text[did])
    queries = [q for q in _rows(retrieval_dir / "queries.jsonl") if q["_id"] in relevant][:n_queries]
    pool = sorted({t for q in queries for t in relevant[q["_id"]]})
    rng = random.Random(0)
    groups = []
    for q in queries:
        positives = relevant[q["_id"]]
        others = [t for t in pool if t not in positives]
        groups.append({"query": q["text"], "positive": positives,
                       "negative": rng.sample(others, min(NEGATIVES, len(others)))})
    _write_rows(dst / "dev.jsonl", groups)


def build(shared: Path, out: Path, limit: int | None, names: list[str]) -> list[BenchTask]:
    """Write the workload for `names` under `out` (one folder per task, bench-only YAMLs beside
    them); returns the chosen tasks. `limit`: the first N rows/pairs/queries of each task."""
    chosen = [t for t in TASKS if t.name in names]
    for task in chosen:
        dst = out / task.name
        needs_retrieval_copy = task.type == "Reranking" and not (out / "QBQTCDevRetrieval").exists()
        if task.type == "Retrieval" or needs_retrieval_copy:
            _retrieval(shared / "QBQTCDevRetrieval", out / "QBQTCDevRetrieval", limit)
        if task.type == "Reranking":
            _reranking(out / "QBQTCDevRetrieval", dst, min(RERANK_QUERIES, limit or RERANK_QUERIES))
        elif task.type != "Retrieval":
            for src in sorted((shared / task.name).glob("*.jsonl")):
                rows = _rows(src)
                keep = rows if limit is None or src.stem == "train" else rows[:limit]
                _write_rows(dst / src.name, keep)
        if task.bench_only:
            (out / f"{task.name}.yaml").write_text(_YAML.format(
                name=task.name, type=task.type, split=task.split, metric=task.mteb_metric))
    return chosen
