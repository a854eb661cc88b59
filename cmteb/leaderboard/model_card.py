"""A Hugging Face model-card `model-index` block for one model's results, as mteb writes it.

mteb's `create_meta` (and `TaskResult.get_hf_eval_results` in the pinned mteb) turns each task
result into a `huggingface_hub.EvalResult`: task type from mteb's task type (`STS` ->
`sentence-similarity`, ...), dataset = the task's hub path, name `{Task} ({subset})`, config =
the subset, split, dataset revision, and the main score as it is stored (0-1), then lets
`ModelCardData(model_name, eval_results, tags=["mteb"])` write the YAML. Here the same is done
with the leaderboard's reading of each task: one entry per task, the benchmark's metric (named
as it is, e.g. `cosine_ap` under protocol cmteb) and its splits (a score over several splits is
their mean and names them joined by `+`). Quick runs and missing tasks have no entry.

The output is a model card holding the block as its YAML front matter; paste the block into
the model's README.md front matter.
"""

from __future__ import annotations

import cmteb
from cmteb.errors import UserError, did_you_mean
from cmteb.leaderboard.records import Leaderboard, ModelRow, TaskConvention, TaskScore

# mteb's `TaskMetadata._hf_task_type` for the text task types cmteb has.
HF_TASK_TYPES = {"Classification": "text-classification", "Clustering": "text-classification",
                 "PairClassification": "text-classification", "Reranking": "text-ranking",
                 "Retrieval": "text-retrieval", "STS": "sentence-similarity"}


def card_file_name(model: str) -> str:
    """`org__model.md`; control characters and other separators become `_`."""
    return "".join("_" if ch == "\\" or ord(ch) < 32 or ord(ch) == 127 else ch
                   for ch in model.replace("/", "__")) + ".md"


def find_row(board: Leaderboard, model: str) -> ModelRow:
    """The row of `model`; UserError naming the models the leaderboard has."""
    for row in board.rows:
        if row.model == model:
            return row
    names = [r.model for r in board.rows]
    raise UserError(f"--model-card {model}: no such model in this leaderboard"
                    f"{did_you_mean(model, names) or ' (models: ' + ', '.join(names) + ')'}")


def _entry(conv: TaskConvention, score: TaskScore):
    from huggingface_hub import EvalResult

    return EvalResult(
        task_type=HF_TASK_TYPES.get(conv.type, "other"), task_name=conv.type,
        dataset_type=conv.dataset_path or conv.task, dataset_name=f"{conv.task} ({conv.subset})",
        dataset_config=conv.subset, dataset_split="+".join(conv.splits),
        dataset_revision=conv.dataset_revision, metric_type=score.metric or conv.metric,
        metric_name=score.metric or conv.metric,
        metric_value=round(score.raw / 100, 8),  # type: ignore[operator] - points back to 0-1
    )


def model_index_yaml(board: Leaderboard, model: str) -> str:
    """The YAML block (`tags` and `model-index`) of `model`'s scores on the board's tasks."""
    from huggingface_hub import ModelCardData

    row = find_row(board, model)
    results = [_entry(conv, row.tasks[conv.task]) for conv in board.conventions
               if row.tasks[conv.task].raw is not None
               and not (row.tasks[conv.task].source.cmteb or {}).get("quick")]  # type: ignore[union-attr]
    if not results:
        raise UserError(f"--model-card {model}: no task score to put in a model card")
    data = ModelCardData(model_name=model, eval_results=results, tags=["mteb", "cmteb"])
    return data.to_yaml()


def model_card_text(board: Leaderboard, model: str) -> str:
    """A model card whose front matter is the `model-index` block (module doc)."""
    return (f"---\n{model_index_yaml(board, model)}\n---\n\n"
            f"<!-- {board.benchmark} scores (protocol {board.protocol}) written by cmteb "
            f"{cmteb.__version__}: copy the block above into the model card's front matter. -->\n")
