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


# The policy stated once, as a table: registry model x task type x role -> exact model input.
E5_INSTRUCT_QUERY = "Instruct: Find the passage\nQuery: 天气"
POLICY_TABLE = {
    # model: {(task type, role): string reaching the model for the text "天气"}
    "BAAI/bge-large-zh-v1.5": {("Retrieval", "query"): "为这个句子生成表示以用于检索相关文章：天气",
                               ("Reranking", "query"): "为这个句子生成表示以用于检索相关文章：天气",
                               "document": "天气", "symmetric": "天气"},
    "intfloat/multilingual-e5-small": {("Retrieval", "query"): "query: 天气",
                                       ("Reranking", "query"): "query: 天气",
                                       "document": "passage: 天气", "symmetric": "query: 天气"},
    "intfloat/multilingual-e5-large-instruct": {("Retrieval", "query"): E5_INSTRUCT_QUERY,
                                                ("Reranking", "query"): E5_INSTRUCT_QUERY,
                                                "document": "天气", "symmetric": "天气"},
    "Alibaba-NLP/gte-Qwen2-1.5B-instruct": {("Retrieval", "query"): E5_INSTRUCT_QUERY,
                                            ("Reranking", "query"): E5_INSTRUCT_QUERY,
                                            "document": "天气", "symmetric": "天气"},
    "BAAI/bge-reranker-base": {("Retrieval", "query"): "天气", ("Reranking", "query"): "天气",
                               "document": "天气", "symmetric": "天气"},
}
ALL_TYPES = ("Retrieval", "Reranking", "STS", "PairClassification", "Classification", "Clustering")


@pytest.mark.parametrize("model", sorted(POLICY_TABLE))
@pytest.mark.parametrize("task_type", ALL_TYPES)
def test_registry_policies_exact_strings_for_every_task_type_and_role(model, task_type):
    from cmteb.models.registry import find_entry

    policy = find_entry(model).policy()
    spec = make_spec(task_type, prompt={"query": "Find the passage"})
    table = POLICY_TABLE[model]
    if task_type in ("Retrieval", "Reranking"):
        assert policy.format(["天气"], "query", spec) == [table[(task_type, "query")]]
        assert policy.format(["天气"], "document", spec) == [table["document"]]
    else:
        assert policy.format(["天气"], "symmetric", spec) == [table["symmetric"]]
        assert set(policy.record(spec)) == {"symmetric_prefix"}


def test_no_instruction_removes_it_everywhere_and_is_recorded():
    from cmteb.models.types import ModelOptions, apply_policy_overrides

    policy = apply_policy_overrides(BGE, ModelOptions(no_instruction=True))
    spec = make_spec("Retrieval")
    assert policy.format(["天气"], "query", spec) == ["天气"]
    assert policy.record(spec)["query_instruction"] == ""


def test_pair_scorer_applies_the_policy_per_role_and_dedupes_pairs():
    from cmteb.models.pair_scorer import TaskPairScorer

    seen = []

    class Scorer:
        def predict(self, pairs, *, task, batch_size):
            seen.extend(pairs)
            return np.arange(len(pairs), dtype=np.float32)

    scorer = TaskPairScorer(Scorer(), TextPolicy(query_prefix="query: ", passage_prefix="passage: ",
                                                 query_instruction="I:"), make_spec("Reranking"))
    out = scorer(["q", "q", "r"], ["a", "a", "b"])
    assert seen == [("query: I:q", "passage: a"), ("query: I:r", "passage: b")]
    np.testing.assert_array_equal(out, [0, 0, 1])
