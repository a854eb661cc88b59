"""Rerankers and BM25 through `cmteb.evaluate`: exact pairs reaching the model, metrics recomputed
by hand from the same scores, first stage reused and read back from a results folder."""

from __future__ import annotations

import json

import numpy as np
import pytest
import pytrec_eval
from sklearn.metrics import average_precision_score

import cmteb
from cmteb.cli import main as cli_main
from cmteb.results.runs import read_runs
from cmteb.tasks.registry import TaskRegistry

INSTRUCTION = "为这个句子生成表示以用于检索相关文章："
DEMO = TaskRegistry().origin("DemoRetrieval").parent / "data"


def pair_score(query: str, passage: str) -> float:
    """Characters shared by query and passage, tie-broken by passage length (deterministic)."""
    return len(set(query) & set(passage)) + 1e-3 * len(passage)


class RecordingPairScorer:
    """Fake cross-encoder: `pair_score` of each pair; records every (task, pairs) call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[tuple[str, str]]]] = []

    def predict(self, pairs, *, task, batch_size):
        self.calls.append((task.name, list(pairs)))
        return np.asarray([pair_score(q, p) for q, p in pairs], dtype=np.float32)


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_cross_encoder_on_reranking_gets_exact_pairs_and_its_map_is_sklearns(tmp_path):
    scorer = RecordingPairScorer()
    doc = cmteb.evaluate(scorer, tasks=["DemoReranking"], output_dir=tmp_path, name="fake-ce",
                         query_instruction=INSTRUCTION, query_prefix="Q: ", passage_prefix="P: ")
    pairs = [pair for _, call in scorer.calls for pair in call]
    groups = [g for g in read_jsonl(DEMO / "DemoReranking" / "dev.jsonl") if g["positive"] and g["negative"]]
    expected_pairs = {("Q: " + INSTRUCTION + g["query"], "P: " + t)
                      for g in groups for t in g["positive"] + g["negative"]}
    assert set(pairs) == expected_pairs and len(pairs) == len(expected_pairs)
    aps = [average_precision_score([1] * len(g["positive"]) + [0] * len(g["negative"]),
                                   [np.float32(pair_score("Q: " + INSTRUCTION + g["query"], "P: " + t))
                                    for t in g["positive"] + g["negative"]]) for g in groups]
    scores = doc["DemoReranking"]["scores"]["dev"][0]
    assert scores["map"] == pytest.approx(np.mean(aps), abs=1e-12)
    assert doc["DemoReranking"]["cmteb"]["text_policy"] == {
        "query_prefix": "Q: ", "query_instruction": INSTRUCTION, "passage_prefix": "P: "}


def _ndcg10(run, qrels):
    per_query = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10"}).evaluate(run)
    return round(sum(v["ndcg_cut_10"] for v in per_query.values()) / len(per_query), 5)


def _qrels():
    qrels: dict[str, dict[str, int]] = {}
    for line in (DEMO / "DemoRetrieval" / "qrels" / "dev.tsv").read_text().splitlines()[1:]:
        qid, doc_id, score = line.split("\t")
        qrels.setdefault(qid, {})[doc_id] = int(score)
    return qrels


def test_second_stage_reranks_exactly_the_first_stage_top_k_and_reuses_it(tmp_path):
    scorer = RecordingPairScorer()
    doc = cmteb.evaluate(scorer, tasks=["DemoRetrieval"], output_dir=tmp_path, name="fake-ce",
                         first_stage="hash", rerank_top_k=5)["DemoRetrieval"]
    first = tmp_path / "hash" / "hash-v1"
    saved = read_runs(first / "DemoRetrieval.run.json.gz")
    top5 = {qid: list(hits)[:5] for qid, hits in saved["splits"]["dev"].items()}
    queries = {q["_id"]: q["text"] for q in read_jsonl(DEMO / "DemoRetrieval" / "queries.jsonl")}
    corpus = {d["_id"]: d["text"] for d in read_jsonl(DEMO / "DemoRetrieval" / "corpus.jsonl")}
    sent = {pair for _, call in scorer.calls for pair in call}
    assert sent == {(queries[q], corpus[d]) for q, docs in top5.items() for d in docs}
    reranked = {q: {d: float(np.float32(pair_score(queries[q], corpus[d]))) for d in docs}
                for q, docs in top5.items()}
    assert doc["scores"]["dev"][0]["ndcg_at_10"] == _ndcg10(reranked, _qrels())
    assert doc["cmteb"]["model_settings"]["first_stage"] == {"model": "hash", "revision": "hash-v1",
                                                             "top_k": 5}
    stamp = (first / "DemoRetrieval.json").stat().st_mtime_ns
    again = cmteb.evaluate(RecordingPairScorer(), tasks=["DemoRetrieval"], output_dir=tmp_path,
                           name="fake-ce-2", first_stage="hash", rerank_top_k=5)["DemoRetrieval"]
    assert (first / "DemoRetrieval.json").stat().st_mtime_ns == stamp  # first stage not recomputed
    from_folder = cmteb.evaluate(RecordingPairScorer(), tasks=["DemoRetrieval"], output_dir=tmp_path,
                                 name="fake-ce-3", first_stage=str(first), rerank_top_k=5)
    assert again["scores"] == doc["scores"] == from_folder["DemoRetrieval"]["scores"]


def test_bm25_equals_bm25s_scores_ranked_by_pytrec_eval(tmp_path):
    bm25s = pytest.importorskip("bm25s")
    pytest.importorskip("rjieba")
    from cmteb.models.bm25 import BM25Model

    doc = cmteb.evaluate("bm25", tasks=["DemoRetrieval"], output_dir=tmp_path)["DemoRetrieval"]
    queries = {q["_id"]: q["text"] for q in read_jsonl(DEMO / "DemoRetrieval" / "queries.jsonl")}
    corpus = {d["_id"]: d["text"] for d in read_jsonl(DEMO / "DemoRetrieval" / "corpus.jsonl")}
    model, ids = BM25Model(), list(corpus)
    retriever = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    retriever.index(model.tokenize([corpus[d] for d in ids]), show_progress=False)
    run = {}
    for qid, text in queries.items():
        scores = retriever.get_scores(model.tokenize([text])[0])
        run[qid] = {d: float(s) for d, s in zip(ids, scores, strict=True)}
    qrels = {q: r for q, r in _qrels().items() if q in queries}
    assert doc["scores"]["dev"][0]["ndcg_at_10"] == _ndcg10(run, qrels)
    assert doc["cmteb"]["model_settings"]["library"] == "bm25s"


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "tests.integration.test_rerankers:RecordingPairScorer", "--tasks", "DemoSTS"],
     "cross-encoder reranker: it scores (query, passage) pairs and cannot run STS tasks"),
    (["--model", "tests.integration.test_rerankers:RecordingPairScorer", "--tasks", "DemoRetrieval"],
     "give --first-stage"),
    (["--model", "hash", "--tasks", "DemoRetrieval", "--rerank-top-k", "10"], "is a bi-encoder"),
    (["--model", "tests.integration.test_rerankers:RecordingPairScorer", "--tasks", "DemoRetrieval",
      "--first-stage", "tests.integration.test_rerankers:RecordingPairScorer"], "must retrieve"),
    (["--model", "bm25", "--tasks", "DemoClustering"], "lexical model"),
])
def test_impossible_combinations_exit_2_with_one_line(tmp_path, capsys, args, message):
    assert cli_main(["run", *args, "--output-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_quick_second_stage_reads_the_quick_first_stage(tmp_path):
    doc = cmteb.evaluate(RecordingPairScorer(), tasks=["DemoRetrieval"], output_dir=tmp_path,
                         name="fake-ce", first_stage="hash", rerank_top_k=5, quick=True)["DemoRetrieval"]
    assert (tmp_path / "hash" / "hash-v1-quick" / "DemoRetrieval.run.json.gz").is_file()
    assert not (tmp_path / "hash" / "hash-v1").exists()  # quick first stage never lands among full results
    assert doc["cmteb"]["quick"] is True


def _rerank_run(folder, out, cache, *extra):
    assert cli_main(["run", "--model", str(folder), "--tasks", "DemoReranking", "--output-dir", str(out),
                     "--cache-dir", str(cache), "--no-progress", *extra]) == 0
    (path,) = out.rglob("DemoReranking.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_cross_encoder_rerun_reads_every_pair_score_from_the_cache(tmp_path):
    from tests.tiny_models import make_tiny_cross_encoder

    folder = make_tiny_cross_encoder(tmp_path / "ce")
    first = _rerank_run(folder, tmp_path / "a", tmp_path / "cache")
    again = _rerank_run(folder, tmp_path / "b", tmp_path / "cache")
    pairs = first["cmteb"]["encoding"]["unique_texts"]
    assert pairs > 0 and first["cmteb"]["encoding"]["encoded"] == pairs
    assert again["cmteb"]["encoding"]["encoded"] == 0 and again["cmteb"]["encoding"]["cache_hits"] == pairs
    assert again["scores"] == first["scores"]
    other = _rerank_run(folder, tmp_path / "c", tmp_path / "cache", "--query-instruction", "问：")
    assert other["cmteb"]["encoding"]["encoded"] == pairs  # another query text: every pair missed
