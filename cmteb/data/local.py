"""Read one task's splits from a folder in the local task-data layout (see `split_file`).

Layout per task type, inside `DIR/<TaskName>/` (file names are split names):
    STS, PairClassification, Clustering, Reranking: `<split>.jsonl`
    Classification: `<split>.jsonl` plus the train split `train.jsonl` (settings.train_split)
    Retrieval: `corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`
Record formats and validation policy: `cmteb.data.records`. Every problem is a one-line
`UserError` naming the file (and line). The fingerprint covers exactly the files read.
"""

from __future__ import annotations

from pathlib import Path

from cmteb.data.files import FileLog, iter_jsonl, iter_qrels_tsv
from cmteb.data.records import (
    build_clustering,
    build_id_texts,
    build_labeled,
    build_pair_labels,
    build_pair_scores,
    build_rerank,
    build_retrieval,
)
from cmteb.data.types import LabeledTexts, SplitData
from cmteb.errors import UserError
from cmteb.tasks.spec import TaskSpec

CORPUS_FILE = "corpus.jsonl"
QUERIES_FILE = "queries.jsonl"
QRELS_DIR = "qrels"
_ROW_BUILDERS = {
    "PairClassification": build_pair_labels,
    "Clustering": build_clustering,
    "Reranking": build_rerank,
}


def split_file(task_type: str, split: str) -> str:
    """Relative name of the file that holds `split` for a task of `task_type`."""
    if task_type == "Retrieval":
        return f"{QRELS_DIR}/{split}.tsv"
    return f"{split}.jsonl"


class LocalTaskFolder:
    """One task folder. `read(split)` validates fully; `fingerprint()` covers the files read.

    Corpus, queries and the classification train split are read once and shared between splits.
    `score_range` (min, max): the STS scale every score must lie in (None: not checked).
    """

    def __init__(self, folder: Path, task_type: str, *, train_split: str = "train",
                 score_range: tuple[float, float] | None = None) -> None:
        self.folder = folder
        self.task_type = task_type
        self.train_split = train_split
        self.score_range = score_range
        self._log = FileLog(folder)
        self._train: tuple[list[str], list[int]] | None = None
        self._corpus: dict[str, str] | None = None
        self._queries: dict[str, str] | None = None

    @classmethod
    def for_task(cls, folder: Path, spec: TaskSpec) -> LocalTaskFolder:
        """The reader of `folder` with `spec`'s type, train split and STS scale."""
        return cls(folder, spec.type, train_split=spec.train_split, score_range=spec.score_range)

    def split_path(self, split: str) -> Path:
        return self.folder / split_file(self.task_type, split)

    def has_split(self, split: str) -> bool:
        return self.split_path(split).is_file()

    def read(self, split: str) -> SplitData:
        """The split's data; a missing split file is a UserError naming the expected path."""
        path = self.split_path(split)
        if not path.is_file():
            raise UserError(f"{path}: missing split file for split {split!r}")
        if self.task_type == "Retrieval":
            return self._read_retrieval(path)
        if self.task_type == "Classification":
            return self._read_classification(path)
        if self.task_type == "STS":
            return build_pair_scores(iter_jsonl(self._log, path), self.score_range)
        builder = _ROW_BUILDERS.get(self.task_type)
        if builder is None:
            raise UserError(f"{self.folder}: unknown task type {self.task_type!r}")
        return builder(iter_jsonl(self._log, path))

    def fingerprint(self) -> str:
        """`sha256:<hex>` over the files read so far (see `FileLog.fingerprint`)."""
        return self._log.fingerprint()

    def _required(self, name: str, what: str) -> Path:
        path = self.folder / name
        if not path.is_file():
            raise UserError(f"{path}: missing {what} file")
        return path

    def _read_classification(self, path: Path) -> LabeledTexts:
        if self._train is None:
            train_path = self._required(f"{self.train_split}.jsonl", "classification train split")
            self._train = build_labeled(iter_jsonl(self._log, train_path))
        texts, labels = build_labeled(iter_jsonl(self._log, path))
        return LabeledTexts(texts, labels, self._train[0], self._train[1])

    def _read_retrieval(self, qrels_path: Path) -> SplitData:
        if self._corpus is None:
            corpus_path = self._required(CORPUS_FILE, "retrieval corpus")
            queries_path = self._required(QUERIES_FILE, "retrieval queries")
            self._corpus = build_id_texts(iter_jsonl(self._log, corpus_path), with_title=True)
            self._queries = build_id_texts(iter_jsonl(self._log, queries_path), with_title=False)
        assert self._queries is not None
        rows = iter_qrels_tsv(self._log, qrels_path)
        return build_retrieval(self._corpus, self._queries, rows, str(qrels_path))
