"""`cmteb.evaluate` with in-memory encoders: the same pipeline, exact strings per role, failures."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cmteb
from cmteb.errors import TaskError
from cmteb.tasks.registry import TaskRegistry
from tests.conftest import RecordingEncoder

INSTRUCTION = "为这个句子生成表示以用于检索相关文章："


def demo_specs():
    reg = TaskRegistry()
    return {n: reg.get(n) for n in reg.benchmark("demo").tasks}


def test_evaluate_records_exact_strings_per_task_type_and_role(tmp_path):
    enc = RecordingEncoder()
    results = cmteb.evaluate(enc, benchmark="demo", output_dir=tmp_path, name="rec",
                             query_instruction=INSTRUCTION, query_prefix="Q: ",
                             passage_prefix="P: ", symmetric_prefix="S: ")
    specs = demo_specs()
    assert set(results) == set(specs)
    seen: dict[tuple[str, str], list[str]] = {}
    for role, task, texts in enc.calls:
        seen.setdefault((specs[task].type, role), []).extend(texts)
    for (task_type, role), texts in seen.items():
        if role == "query":
            assert task_type in ("Retrieval", "Reranking")
            assert all(t.startswith("Q: " + INSTRUCTION) for t in texts)
        elif role == "document":
            assert task_type in ("Retrieval", "Reranking")
            assert all(t.startswith("P: ") and INSTRUCTION not in t for t in texts)
        else:
            assert task_type not in ("Retrieval", "Reranking")
            assert all(t.startswith("S: ") and INSTRUCTION not in t for t in texts)
    roles = {k for k in seen}
    assert ("Retrieval", "query") in roles and ("Retrieval", "document") in roles
    assert ("Reranking", "query") in roles and ("STS", "symmetric") in roles
    retrieval = next(n for n, s in specs.items() if s.type == "Retrieval")
    assert results[retrieval]["cmteb"]["text_policy"] == {
        "query_prefix": "Q: ", "query_instruction": INSTRUCTION, "passage_prefix": "P: "}


class NaNOnClustering(RecordingEncoder):
    def encode(self, texts, *, role, task, batch_size):
        out = super().encode(texts, role=role, task=task, batch_size=batch_size)
        if task.type == "Clustering":
            out[0, 0] = np.nan
        return out


def test_a_failing_task_does_not_stop_the_others(tmp_path):
    with pytest.raises(TaskError, match="NaN"):
        cmteb.evaluate(NaNOnClustering(), benchmark="demo", output_dir=tmp_path, name="nan")
    written = {p.stem for p in (tmp_path / "nan").rglob("*.json")
               if not p.name.endswith(".samples.json")}
    specs = demo_specs()
    assert written == {n for n, s in specs.items() if s.type != "Clustering"}
    for path in (tmp_path / "nan").rglob("*.json"):
        json.loads(path.read_text())  # complete, parseable files only
