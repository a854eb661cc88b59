"""The text policy (which string reaches the model per role) and the embedder's output checks."""

from __future__ import annotations

import numpy as np
import pytest

from cmteb.errors import TaskError
from cmteb.models.embedder import TaskEmbedder
from cmteb.models.policy import TextPolicy
from tests.conftest import RecordingEncoder, make_spec

BGE = TextPolicy(query_instruction="为这个句子生成表示以用于检索相关文章：")
E5 = TextPolicy(query_prefix="query: ", passage_prefix="passage: ")


@pytest.mark.parametrize("task_type", ["Retrieval", "Reranking"])
def test_instruction_only_on_queries_of_retrieval_and_reranking(task_type):
    spec = make_spec(task_type)
    assert BGE.format(["天气"], "query", spec) == ["为这个句子生成表示以用于检索相关文章：天气"]
    assert BGE.format(["天气"], "document", spec) == ["天气"]


@pytest.mark.parametrize("task_type", ["STS", "PairClassification", "Classification", "Clustering"])
def test_symmetric_tasks_never_get_the_instruction(task_type):
    spec = make_spec(task_type)
    assert BGE.format(["天气"], "symmetric", spec) == ["天气"]
    with pytest.raises(ValueError):
        BGE.format(["天气"], "query", spec)


def test_e5_prefixes_apply_to_every_task_and_symmetric_defaults_to_query_prefix():
    assert E5.format(["a"], "query", make_spec("Retrieval")) == ["query: a"]
    assert E5.format(["a"], "document", make_spec("Retrieval")) == ["passage: a"]
    assert E5.format(["a"], "symmetric", make_spec("STS")) == ["query: a"]
    no_sym = TextPolicy(query_prefix="query: ", passage_prefix="passage: ", symmetric_prefix="")
    assert no_sym.format(["a"], "symmetric", make_spec("STS")) == ["a"]


def test_prefix_then_instruction_order_and_task_prompt_template():
    policy = TextPolicy(query_prefix="P:", query_instruction="Instruct: {task}\nQuery: ")
    spec = make_spec("Retrieval", prompt={"query": "Find the passage"})
    assert policy.format(["q"], "query", spec) == ["P:Instruct: Find the passage\nQuery: q"]
    assert policy.record(spec)["query_instruction"] == "Instruct: Find the passage\nQuery: "


def test_record_lists_exact_strings_per_role():
    assert BGE.record(make_spec("Retrieval")) == {
        "query_prefix": "", "query_instruction": "为这个句子生成表示以用于检索相关文章：",
        "passage_prefix": ""}
    assert E5.record(make_spec("STS")) == {"symmetric_prefix": "query: "}


def test_embedder_dedupes_and_restores_order():
    enc = RecordingEncoder()
    embed = TaskEmbedder(enc, E5, make_spec("STS"))
    out = embed(["b", "a", "b", "c", "a"], "symmetric")
    assert len(enc.calls) == 1 and sorted(enc.calls[0][2]) == ["query: a", "query: b", "query: c"]
    direct = enc.encode(["query: b", "query: a", "query: b", "query: c", "query: a"],
                        role="symmetric", task=make_spec("STS"), batch_size=1)
    np.testing.assert_array_equal(out, direct)
    assert embed.stats.texts == 5 and embed.stats.unique_texts == 3


class _Broken:
    def __init__(self, out):
        self.out = out

    def encode(self, texts, *, role, task, batch_size):
        return self.out(len(texts))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda n: np.full((n, 4), np.nan), "NaN or inf"),
        (lambda n: np.ones((n + 1, 4)), "expected (2, dim)"),
        (lambda n: np.ones(n), "expected (2, dim)"),
        (lambda n: "not an array", "numeric array"),
    ],
)
def test_embedder_rejects_bad_adapter_output(make, message):
    embed = TaskEmbedder(_Broken(make), TextPolicy(), make_spec("STS"), model_name="broken")
    with pytest.raises(TaskError, match="broken") as err:
        embed(["x", "y"], "symmetric")
    assert message in str(err.value)


def test_embedder_rejects_changing_dimension():
    dims = iter([4, 5])
    embed = TaskEmbedder(_Broken(lambda n: np.ones((n, next(dims)))), TextPolicy(), make_spec("STS"))
    embed(["x"], "symmetric")
    with pytest.raises(TaskError, match="dimension changed from 4 to 5"):
        embed(["y"], "symmetric")
