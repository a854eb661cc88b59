"""Where the `{task}` text of an instruction template comes from, per task.

An instruction-following model (e5-instruct, gte-Qwen2, Qwen3-Embedding, ...) has a template such
as `Instruct: {task}\\nQuery: `. The text put in place of `{task}` for a task is, first match wins:
1. the model's own instruction for the task name (`task_instructions`, e.g. from a registry entry
   or mteb's `prompts_dict` of the model);
2. the model's own instruction for the task type (e.g. Qwen3-Embedding's evaluation code gives
   every STS and pair-classification task `Retrieve semantically similar text`);
3. the task YAML's `prompt` (copied from the pinned mteb's task metadata; its `query` entry when
   the prompt is given per role);
4. the pinned mteb's fallback for the task type (`AbsTask*.abstask_prompt` in mteb 2.26.24), which
   mteb uses for a task whose metadata has no prompt (C-MTEB's STS tasks have none).
"""

from __future__ import annotations

from collections.abc import Mapping

from cmteb.tasks.spec import TaskSpec

# mteb 2.26.24, mteb/abstasks/{retrieval,sts,pair_classification,classification,clustering}.py:
# `abstask_prompt` of each abstract task class (reranking tasks are retrieval tasks in mteb 2).
TYPE_FALLBACK_PROMPTS: Mapping[str, str] = {
    "Retrieval": "Retrieve text based on user query.",
    "Reranking": "Retrieve text based on user query.",
    "STS": "Retrieve semantically similar text.",
    "PairClassification": "Retrieve text that are semantically similar to the given text.",
    "Classification": "Classify user passages.",
    "Clustering": "Identify categories in user passages.",
}


def task_prompt(task: TaskSpec) -> str:
    """The task YAML's prompt (its `query` entry, else its first, when given per role), else the
    pinned mteb's fallback for the task type ('' for a type mteb has none for)."""
    prompt = task.prompt
    if isinstance(prompt, dict):
        prompt = prompt.get("query") or next(iter(prompt.values()), None)
    return prompt or TYPE_FALLBACK_PROMPTS.get(task.type, "")


def task_instruction(task: TaskSpec, own: Mapping[str, str]) -> str:
    """The text for `{task}` on `task` (module docstring): `own` is the model's instructions keyed
    by task name or task type."""
    for key in (task.name, task.type):
        if key in own:
            return own[key]
    return task_prompt(task)


def fill(template: str, task: TaskSpec, own: Mapping[str, str]) -> str:
    """`template` with `{task}` replaced by the task's instruction (a template without `{task}`
    is a fixed instruction, returned as is)."""
    if "{task}" not in template:
        return template
    return template.replace("{task}", task_instruction(task, own))
