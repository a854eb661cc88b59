"""The text policy: exactly which string reaches the model for each role. Stated once here.

- Retrieval and reranking queries: query prefix + query instruction + text.
- Passages (retrieval corpus, reranking candidates): passage prefix + text.
- Symmetric tasks (STS, pair classification, classification, clustering): symmetric prefix + text.
  The symmetric prefix defaults to the query prefix (the e5 model-card convention behind the
  published e5 numbers). The query instruction never reaches passages or symmetric texts.

An instruction template (instruction-following models) may contain `{task}`, replaced by the task
YAML's `prompt` (its `query` entry when the prompt is given per role).
"""

from __future__ import annotations

from dataclasses import dataclass

from cmteb.models.contract import Role
from cmteb.tasks.spec import TaskSpec

INSTRUCTED_TYPES = ("Retrieval", "Reranking")


@dataclass(frozen=True)
class TextPolicy:
    query_prefix: str = ""
    passage_prefix: str = ""
    symmetric_prefix: str | None = None
    query_instruction: str | None = None

    @property
    def effective_symmetric_prefix(self) -> str:
        return self.query_prefix if self.symmetric_prefix is None else self.symmetric_prefix

    def instruction_for(self, task: TaskSpec) -> str:
        """The instruction put on this task's queries ('' when none applies)."""
        if not self.query_instruction or task.type not in INSTRUCTED_TYPES:
            return ""
        if "{task}" not in self.query_instruction:
            return self.query_instruction
        prompt = task.prompt.get("query", "") if isinstance(task.prompt, dict) else task.prompt
        return self.query_instruction.replace("{task}", prompt or "")

    def prefix_for(self, role: Role, task: TaskSpec) -> str:
        """Everything put before the text for `role` on `task` (prefix and instruction)."""
        if role == "query":
            if task.type not in INSTRUCTED_TYPES:
                raise ValueError(f"role 'query' is only used by retrieval/reranking, not {task.type}")
            return self.query_prefix + self.instruction_for(task)
        if role == "document":
            return self.passage_prefix
        return self.effective_symmetric_prefix

    def format(self, texts: list[str], role: Role, task: TaskSpec) -> list[str]:
        head = self.prefix_for(role, task)
        return [head + t for t in texts]

    def record(self, task: TaskSpec) -> dict[str, str]:
        """The exact strings used per role on `task`, as stored in every result file."""
        roles: dict[str, str] = {}
        if task.type in INSTRUCTED_TYPES:
            roles["query_prefix"] = self.query_prefix
            roles["query_instruction"] = self.instruction_for(task)
            roles["passage_prefix"] = self.passage_prefix
        else:
            roles["symmetric_prefix"] = self.effective_symmetric_prefix
        return roles
