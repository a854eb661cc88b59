"""`--instruction-scope`: where a model's instruction goes, checked against the pinned mteb.

The reference is mteb's own instruction handling on the same task metadata: the prompt an
`InstructSentenceTransformerModel` passes to sentence-transformers (which prepends it to every
text) for each task type and prompt type, with the instruction templates of e5-instruct,
gte-Qwen2 and Qwen3-Embedding as the pinned mteb defines them.
"""

from __future__ import annotations

import pytest

from cmteb.errors import UserError
from cmteb.models.policy import TextPolicy, split_tag, tag
from cmteb.models.registry import find_entry
from cmteb.models.types import ModelOptions, apply_policy_overrides
from cmteb.tasks.registry import TaskRegistry
from tests.conftest import make_spec

# One C-MTEB task per type; STS tasks have no prompt in mteb's metadata (mteb falls back to the
# abstract task's prompt), the retrieval prompt is given per role.
TASKS = ["T2Retrieval", "T2Reranking", "STSB", "Ocnli", "TNews", "CLSClusteringS2S"]
SYMMETRIC = {"STSB", "Ocnli", "TNews", "CLSClusteringS2S"}


def _mteb_text(template, task_name: str, prompt_type, text: str) -> str:
    """What the pinned mteb feeds the model: InstructSentenceTransformerModel's instruction,
    prepended by sentence-transformers' `prompt=`."""
    import mteb
    from mteb.models.instruct_wrapper import InstructSentenceTransformerModel

    wrapper = object.__new__(InstructSentenceTransformerModel)  # its methods, without loading a model
    wrapper.instruction_template = template
    wrapper.prompts_dict = None
    instruction = wrapper.get_task_instruction(mteb.get_task(task_name).metadata, prompt_type)
    return (instruction or "") + text


def _templates():
    from mteb.models.model_implementations import e5_instruct, gte_models, qwen3_models

    return {
        "intfloat/multilingual-e5-large-instruct": e5_instruct.E5_INSTRUCTION,
        "Alibaba-NLP/gte-Qwen2-1.5B-instruct": gte_models.instruction_template,
        "Qwen/Qwen3-Embedding-0.6B": qwen3_models.instruction_template,
    }


@pytest.fixture(scope="module")
def registry() -> TaskRegistry:
    return TaskRegistry()


@pytest.mark.parametrize("model", ["intfloat/multilingual-e5-large-instruct",
                                   "Alibaba-NLP/gte-Qwen2-1.5B-instruct"])
@pytest.mark.parametrize("task_name", TASKS)
def test_scope_all_gives_the_texts_the_pinned_mteb_gives(model, task_name, registry):
    from mteb.types import PromptType

    spec = registry.get(task_name)
    template = _templates()[model]
    policy = apply_policy_overrides(find_entry(model).policy(), ModelOptions(instruction_scope="all"))
    if task_name in SYMMETRIC:
        ours = policy.format(["天气很好"], "symmetric", spec)[0]
        assert ours == _mteb_text(template, task_name, None, "天气很好")
        assert ours.startswith("Instruct: ") and ours.endswith("\nQuery: 天气很好")
    else:
        assert policy.format(["天气"], "query", spec)[0] == _mteb_text(template, task_name,
                                                                         PromptType.query, "天气")
        assert policy.format(["天气"], "document", spec)[0] == "天气"


@pytest.mark.parametrize("task_name", TASKS)
def test_default_scope_leaves_symmetric_texts_bare_and_queries_as_mteb(task_name, registry):
    from mteb.types import PromptType

    spec = registry.get(task_name)
    policy = find_entry("intfloat/multilingual-e5-large-instruct").policy()
    template = _templates()["intfloat/multilingual-e5-large-instruct"]
    if task_name in SYMMETRIC:
        assert policy.format(["x"], "symmetric", spec) == ["x"]
        assert set(policy.record(spec)) == {"symmetric_prefix"}
    else:
        assert policy.format(["x"], "query", spec)[0] == _mteb_text(template, task_name,
                                                                      PromptType.query, "x")


def test_qwen3_embedding_template_and_the_authors_sts_instruction(registry):
    """Queries as mteb's qwen3 loader builds them; STS / pair classification with the instruction
    the Qwen3-Embedding evaluation code uses for those types (no final period)."""
    from mteb.types import PromptType

    policy = apply_policy_overrides(find_entry("Qwen/Qwen3-Embedding-0.6B").policy(),
                                    ModelOptions(instruction_scope="all"))
    template = _templates()["Qwen/Qwen3-Embedding-0.6B"]
    for name in ("T2Retrieval", "TNews", "CLSClusteringS2S"):
        spec = registry.get(name)
        role = "query" if spec.type == "Retrieval" else "symmetric"
        mteb_type = PromptType.query if role == "query" else None
        assert policy.format(["天气"], role, spec)[0] == _mteb_text(template, name, mteb_type, "天气")
    for name in ("STSB", "Ocnli"):
        assert policy.format(["天气"], "symmetric", registry.get(name)) == \
            ["Instruct: Retrieve semantically similar text\nQuery:天气"]


def test_scope_all_is_recorded_for_symmetric_tasks_only(registry):
    base = find_entry("Alibaba-NLP/gte-Qwen2-1.5B-instruct").policy()
    wide = apply_policy_overrides(base, ModelOptions(instruction_scope="all"))
    sts, retrieval = registry.get("STSB"), registry.get("T2Retrieval")
    instruction = "Instruct: Retrieve semantically similar text.\nQuery: "
    assert wide.record(sts) == {"symmetric_prefix": "", "instruction_scope": "all",
                                "symmetric_instruction": instruction}
    assert wide.record(retrieval) == base.record(retrieval)  # the same texts reach the model


def test_unknown_scope_is_a_user_error():
    with pytest.raises(UserError, match="--instruction-scope 'everything'"):
        apply_policy_overrides(TextPolicy(), ModelOptions(instruction_scope="everything"))


def test_input_type_tags_round_trip_and_key_the_text():
    policy = TextPolicy(input_types=(("query", "query"), ("document", "passage")))
    spec = make_spec("Retrieval")
    query, doc = policy.format(["同一句"], "query", spec)[0], policy.format(["同一句"], "document", spec)[0]
    assert query != doc  # the same text under two input types is two cache rows
    assert split_tag(query) == ("query", "同一句") and split_tag(doc) == ("passage", "同一句")
    assert split_tag(tag("t") + "\x1ex") == ("t", "\x1ex") and split_tag("plain") == (None, "plain")
    assert policy.record(spec)["query_input_type"] == "query"


def test_scope_is_recorded_and_decisive_in_results(tmp_path, capsys, monkeypatch):
    """An instruction model (hash with e5-instruct's template) on DemoSTS: `all` records the
    instruction on the STS texts; a rerun with the default scope is refused (exit 2, naming the
    task and the text policy) until --overwrite."""
    import json

    from cmteb.cli import main

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    base = ["run", "--no-progress", "--model", "hash", "--query-instruction", "Instruct: {task}\nQuery: ",
            "--tasks", "DemoSTS", "--output-dir", str(tmp_path)]
    assert main([*base, "--instruction-scope", "all"]) == 0
    result = tmp_path / "hash" / "hash-v1" / "DemoSTS.json"
    policy = json.loads(result.read_text())["cmteb"]["text_policy"]
    assert policy == {"symmetric_prefix": "", "instruction_scope": "all",
                      "symmetric_instruction": "Instruct: Retrieve semantically similar text.\nQuery: "}
    wide = json.loads(result.read_text())["scores"]
    capsys.readouterr()
    assert main(base) == 2
    err = capsys.readouterr().err
    assert "DemoSTS" in err and "text_policy" in err and len(err.strip().splitlines()) == 1
    assert main([*base, "--overwrite"]) == 0
    doc = json.loads(result.read_text())
    assert doc["cmteb"]["text_policy"] == {"symmetric_prefix": ""}
    assert doc["scores"] != wide  # the instruction reached the texts, so the scores moved
