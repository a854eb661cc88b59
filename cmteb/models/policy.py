"""The text policy: exactly which string reaches the model for each role. Stated once here.

- Retrieval and reranking queries: query prefix + query instruction + text.
- Passages (retrieval corpus, reranking candidates): passage prefix + text.
- Symmetric tasks (STS, pair classification, classification, clustering): symmetric prefix + text.
  The symmetric prefix defaults to the query prefix (the e5 model-card convention behind the
  published e5 numbers).
- Instruction scope: `retrieval` (the default, the project's rule) puts the query instruction on
  retrieval and reranking queries only; `all` also puts it after the symmetric prefix of every
  symmetric text (as Qwen3-Embedding's, e5-instruct's and gte-Qwen2's authors and the pinned mteb
  do for their instruction templates). Passages never get it.

An instruction template may contain `{task}`, filled per task by `cmteb.models.instructions`
(the model's own per-task instructions, else the task YAML's `prompt`, else mteb's fallback for
the task type).

Models behind an HTTP API may take a role field (`input_type`): `input_types` maps roles to its
values. The value travels in-band, as `\\x1e<value>\\x1e` before the text (`tag` / `split_tag`),
so the exact request (field and text) is what the embedding cache keys on, as for any other
model input; the API adapter strips it before sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from cmteb.models.contract import Role
from cmteb.models.instructions import fill
from cmteb.tasks.spec import TaskSpec

INSTRUCTED_TYPES = ("Retrieval", "Reranking")
InstructionScope = Literal["retrieval", "all"]
SCOPES: tuple[str, ...] = get_args(InstructionScope)
TAG = "\x1e"  # ASCII record separator: brackets an API input type before the text


@dataclass(frozen=True)
class TextPolicy:
    """Prefixes, instruction and scope of one model (module docstring).

    `task_instructions`: (task name or task type, text for `{task}`) pairs, the model's own
    instructions; `input_types`: (role, API input type) pairs.
    """

    query_prefix: str = ""
    passage_prefix: str = ""
    symmetric_prefix: str | None = None
    query_instruction: str | None = None
    instruction_scope: InstructionScope = "retrieval"
    task_instructions: tuple[tuple[str, str], ...] = ()
    input_types: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.instruction_scope not in SCOPES:
            raise ValueError(f"instruction scope {self.instruction_scope!r}; expected one of "
                             f"{', '.join(SCOPES)}")

    @property
    def effective_symmetric_prefix(self) -> str:
        return self.query_prefix if self.symmetric_prefix is None else self.symmetric_prefix

    def instructs(self, task: TaskSpec) -> bool:
        """Whether the instruction goes on this task's query-side texts under the scope."""
        return self.instruction_scope == "all" or task.type in INSTRUCTED_TYPES

    def instruction_for(self, task: TaskSpec) -> str:
        """The instruction put on this task's queries or symmetric texts ('' when none applies)."""
        if not self.query_instruction or not self.instructs(task):
            return ""
        return fill(self.query_instruction, task, dict(self.task_instructions))

    def prefix_for(self, role: Role, task: TaskSpec) -> str:
        """Everything put before the text for `role` on `task` (prefix and instruction)."""
        if role == "query":
            if task.type not in INSTRUCTED_TYPES:
                raise ValueError(f"role 'query' is only used by retrieval/reranking, not {task.type}")
            return self.query_prefix + self.instruction_for(task)
        if role == "document":
            return self.passage_prefix
        return self.effective_symmetric_prefix + self.instruction_for(task)

    def input_type(self, role: Role) -> str | None:
        return dict(self.input_types).get(role)

    def format(self, texts: list[str], role: Role, task: TaskSpec) -> list[str]:
        """The exact model inputs: each text after `role`'s API input-type tag, prefix and
        instruction on `task` (one string per text, in order)."""
        head = tag(self.input_type(role)) + self.prefix_for(role, task)
        return [head + t for t in texts]

    def record(self, task: TaskSpec) -> dict[str, str]:
        """The exact strings used per role on `task`, as stored in every result file. Keys beyond
        the prefixes and the query instruction appear only when set, so results of the default
        policy read as before."""
        roles: dict[str, str] = {}
        if task.type in INSTRUCTED_TYPES:
            roles["query_prefix"] = self.query_prefix
            roles["query_instruction"] = self.instruction_for(task)
            roles["passage_prefix"] = self.passage_prefix
            used: tuple[Role, ...] = ("query", "document")
        else:
            roles["symmetric_prefix"] = self.effective_symmetric_prefix
            if self.instruction_scope != "retrieval":
                roles["symmetric_instruction"] = self.instruction_for(task)
                roles["instruction_scope"] = self.instruction_scope
            used = ("symmetric",)
        for role in used:
            value = self.input_type(role)
            if value is not None:
                roles[f"{role}_input_type"] = value
        return roles


def tag(input_type: str | None) -> str:
    """The in-band marker of an API input type ('' for none)."""
    return "" if input_type is None else f"{TAG}{input_type}{TAG}"


def split_tag(text: str) -> tuple[str | None, str]:
    """(input type or None, text without its marker): the inverse of `tag(t) + text`."""
    if not text.startswith(TAG):
        return None, text
    end = text.index(TAG, 1)
    return text[1:end], text[end + 1 :]
