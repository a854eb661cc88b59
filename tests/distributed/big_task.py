"""A generated local retrieval task whose corpus spans two exact-search blocks (32,768 documents
and a few more), so a Ray run splits it into corpus-chunk units with the default chunk size."""

from __future__ import annotations

import json
import random
from pathlib import Path

from cmteb.evaluators.search.exact import CORPUS_CHUNK

CHARS = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对"
DOCS = CORPUS_CHUNK + 300
QUERIES = 40

TASK_YAML = """name: BigRetrieval
type: Retrieval
description: "Generated: 40 queries over a corpus one block larger than the exact search's block."
category: t2t
dataset:
  local: data
languages: [cmn-Hans]
splits:
  cmteb: [dev]
  mteb: [dev]
main_score:
  cmteb: ndcg_at_10
  mteb: ndcg_at_10
version: 1
retrieval:
  k_values: [1, 10]
"""


def write_big_retrieval(folder: Path) -> Path:
    """Write the task YAML and its data under `folder`; returns the YAML path (for --task-file)."""
    rng = random.Random(7)
    data = folder / "data"
    (data / "qrels").mkdir(parents=True)
    docs = ["".join(rng.choices(CHARS, k=rng.randint(6, 14))) for _ in range(DOCS)]
    with (data / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for i, text in enumerate(docs):
            fh.write(json.dumps({"_id": f"d{i:05d}", "title": "", "text": text}, ensure_ascii=False) + "\n")
    lines, qrels = [], ["query-id\tcorpus-id\tscore"]
    for j in range(QUERIES):
        target = rng.randrange(DOCS)  # a query: half of one document plus 3 random characters
        noisy = docs[target][: len(docs[target]) // 2] + "".join(rng.choices(CHARS, k=3))
        lines.append(json.dumps({"_id": f"q{j:02d}", "text": noisy},
                                ensure_ascii=False))
        qrels.append(f"q{j:02d}\td{target:05d}\t1")
    (data / "queries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data / "qrels" / "dev.tsv").write_text("\n".join(qrels) + "\n", encoding="utf-8")
    yaml = folder / "BigRetrieval.yaml"
    yaml.write_text(TASK_YAML, encoding="utf-8")
    return yaml
