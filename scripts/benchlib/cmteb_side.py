"""cmteb on the workload: one `cmteb.pipeline.run.run` per task (tasks of one pass share the embedding
cache, as the tasks of one `cmteb run` do), with the model loaded beforehand and a recorder
that keeps the texts the encoder was actually asked to embed (for the forward-only ceiling)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchlib.workload import BenchTask
from cmteb.config import RunConfig, TaskSelection
from cmteb.models.resolve import resolve_model
from cmteb.models.types import ModelOptions, ResolvedModel
from cmteb.pipeline.run import run

E5_OPTIONS = {"query_prefix": "query: ", "passage_prefix": "passage: "}


@dataclass
class RecordingEncoder:
    """Wraps the loaded encoder; `texts[task]` = every text passed to encode for that task."""

    inner: Any
    texts: dict[str, list[str]] = field(default_factory=dict)

    def encode(self, texts, *, role, task, batch_size):
        self.texts.setdefault(task.name, []).extend(texts)
        return self.inner.encode(texts, role=role, task=task, batch_size=batch_size)


def load_model(path: str, dtype: str) -> tuple[ResolvedModel, RecordingEncoder]:
    """The resolved model with its encoder loaded now (outside any timing) and recorded."""
    model = resolve_model(path, ModelOptions(dtype=dtype, **E5_OPTIONS))
    recorder = RecordingEncoder(model.load())
    return replace(model, _encoder=recorder), recorder


def run_task(model: ResolvedModel, task: BenchTask, root: Path, out: Path, cache: Path,
             dtype: str, batch_size: int) -> dict[str, Any]:
    """Run one task through cmteb's pipeline; returns its result document."""
    selection = (TaskSelection(task_files=(root / f"{task.name}.yaml",)) if task.bench_only
                 else TaskSelection(tasks=(task.name,)))
    config = RunConfig(models=(), selection=selection, data_dir=root, output_dir=out, cache_dir=cache,
                       model_options=ModelOptions(dtype=dtype, **E5_OPTIONS), show_progress=False,
                       batch_size=batch_size)
    report = run(config, resolved=[model])
    (outcome,) = report.outcomes
    if outcome.status != "done":
        raise RuntimeError(f"cmteb failed on {task.name}: {outcome.error or outcome.status}")
    return outcome.result


def mteb_metric(doc: dict[str, Any], task: BenchTask) -> float:
    """cmteb's value of the pinned mteb's main metric (its protocol variant when one differs)."""
    scores = doc["scores"][task.split][0]
    return float(scores.get("protocol_variants", {}).get("mteb", scores)[task.mteb_metric])


def main_score(doc: dict[str, Any], task: BenchTask) -> float:
    """cmteb's own main score of the task (the run's protocol)."""
    return float(doc["scores"][task.split][0]["main_score"])


def encoding(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["cmteb"]["encoding"]
