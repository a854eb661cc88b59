"""Load a task's splits from the Hugging Face hub at the pinned revision.

`HubTask(spec).read(split)` picks the configs of the task type's hub layout (`hub_convert` has the
column layouts) and converts them; a `fast_loading` task reads the `default` config and keeps the
rows of its subset (mteb's `fast_load`). Access goes through a `HubSource` (`DatasetsHub` by
default: `datasets.load_dataset(path, name=config, revision=..., split=...)`), so tests can pass
in-memory tables.

Hub mirror: with `CMTEB_HUB_MIRROR=DIR`, `DatasetsHub` reads the repo `org/name` from the folder
`DIR/org/name` (a copy of the hub repo at its pinned revision, e.g. made with `hf download
org/name --repo-type dataset --revision REV --local-dir DIR/org/name`) through the same
`datasets.load_dataset` call; the revision is then not verified (a note says so).

Policy: every failure is a one-line `UserError` naming the task and dataset path; a split the
dataset lacks raises `MissingSplitError`; with `HF_HUB_OFFLINE=1` only the local HF cache is used;
an unreachable hub (one 3 s probe per process), or offline mode without the data cached, raises
`HubUnreachableError` suggesting `--data-dir`.
"""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from cmteb.data.hub_convert import (
    clustering_sets_from_hub,
    labeled_texts_from_hub,
    pair_labels_from_hub,
    pair_scores_from_hub,
    rerank_groups_from_hub,
    rerank_groups_from_rows,
    retrieval_from_hub,
    rows_of_subset,
)
from cmteb.data.types import SplitData
from cmteb.errors import UserError
from cmteb.tasks.spec import TaskSpec

_OFFLINE_VARS = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")
_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
_DATA_DIR_HINT = "use --data-dir DIR (provision it on a connected machine with `cmteb download`)"
MIRROR_VAR = "CMTEB_HUB_MIRROR"


class MissingSplitError(UserError):
    """The hub dataset has no such split (optional splits are skipped on this error)."""


class HubUnreachableError(UserError):
    """The hub cannot be reached (or is offline and the data is not cached): no task can load.

    `reason` says what failed; the message adds `hint`, what a run can do instead (`cmteb
    download` gives its own hint: it is the command the run's hint points to)."""

    def __init__(self, reason: str, hint: str = _DATA_DIR_HINT) -> None:
        super().__init__(f"{reason}; {hint}")
        self.reason, self.hint = reason, hint


class HubSource(Protocol):
    """Access to one hub dataset at one revision."""

    def configs(self) -> list[str]:
        """Config names of the dataset."""
        ...

    def load(self, config: str | None, split: str | None) -> Any:
        """A table for (config, split); all splits as {split: table} when `split` is None."""
        ...


def hub_offline() -> bool:
    return any(os.environ.get(v, "").upper() in {"1", "ON", "YES", "TRUE"} for v in _OFFLINE_VARS)


def hub_mirror() -> Path | None:
    """The folder of `CMTEB_HUB_MIRROR` (module docstring), or None when it is unset."""
    value = os.environ.get(MIRROR_VAR, "")
    return Path(value) if value else None


@functools.cache
def hub_reachable(timeout: float = 3.0) -> bool:
    """One TCP connect to HF_ENDPOINT's host; True when a proxy is configured (cannot probe)."""
    if any(os.environ.get(v) for v in _PROXY_VARS):
        return True
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    port = url.port or (80 if url.scheme == "http" else 443)
    try:
        socket.create_connection((url.hostname or "", port), timeout=timeout).close()
    except OSError:
        return False
    return True


class DatasetsHub:
    """`HubSource` through `datasets`, mapping its exceptions to one-line UserErrors.

    `mirror`: a folder holding the repo as `mirror/<path>` (module docstring); None = the hub.
    """

    def __init__(self, task: str, path: str, revision: str, mirror: Path | None = None) -> None:
        self.task, self.path, self.revision = task, path, revision
        self.location = path
        if mirror is not None:
            self.location = str(mirror / path)
            if not (mirror / path).is_dir():
                raise UserError(f"{task}: no folder {mirror / path} in the hub mirror "
                                f"({MIRROR_VAR}={mirror})")
        elif not hub_offline() and not hub_reachable():
            raise HubUnreachableError(
                f"{task}: cannot reach the Hugging Face hub for {path}",
                f"{_DATA_DIR_HINT}, or set HF_HUB_OFFLINE=1 to use the HF cache")

    def configs(self) -> list[str]:
        import datasets

        try:
            return list(datasets.get_dataset_config_names(self.location, revision=self.revision))
        except Exception as exc:  # every failure becomes one line
            raise self._error(exc, "configs") from None

    def load(self, config: str | None, split: str | None) -> Any:
        import datasets

        try:
            return datasets.load_dataset(
                self.location, name=config, revision=self.revision, split=split
            )
        except ValueError as exc:
            if str(exc).startswith("Unknown split"):
                raise MissingSplitError(
                    f"{self.task}: {self.path} (config {config or 'default'}) has no split "
                    f"{split!r}"
                ) from None
            raise self._error(exc, f"{config or 'default'}/{split}") from None
        except Exception as exc:  # every failure becomes one line
            raise self._error(exc, f"{config or 'default'}/{split}") from None

    def _error(self, exc: Exception, what: str) -> UserError:
        kind = type(exc).__name__
        head = f"{self.task}: cannot load {self.path}@{self.revision} ({what})"
        if kind == "RevisionNotFoundError":
            return UserError(f"{head}: revision {self.revision!r} not found")
        if kind in {"DatasetNotFoundError", "RepositoryNotFoundError"}:
            return UserError(f"{head}: dataset not found on the hub (or gated)")
        if isinstance(exc, ConnectionError | TimeoutError) or "Offline" in str(exc):
            return HubUnreachableError(f"{head}: hub unreachable or offline and not cached")
        message = (str(exc).strip().splitlines() or [""])[0][:300]
        return UserError(f"{head}: {kind}: {message}")


def _pick_split(tables: Mapping[str, Any], split: str, where: str) -> Any:
    """mteb's rule for corpus/queries configs: the split itself, else the only split."""
    if split in tables:
        return tables[split]
    if len(tables) == 1:
        return next(iter(tables.values()))
    raise UserError(f"{where}: no split {split!r} (splits: {', '.join(tables)})")


class HubTask:
    """Reads the splits of one task from the hub. `notes` collects one-line remarks."""

    def __init__(self, spec: TaskSpec, source: HubSource | None = None) -> None:
        path, revision = spec.dataset.path, spec.dataset.revision
        if path is None:
            raise UserError(f"{spec.name}: no local data and no hub dataset (dataset.path)")
        if revision is None:
            raise UserError(f"{spec.name}: {path} has no pinned revision (dataset.revision)")
        self.spec, self.path, self.revision = spec, path, revision
        self.subset = spec.dataset.subset
        self.notes: list[str] = []
        if source is None:
            mirror = hub_mirror()
            source = DatasetsHub(spec.name, path, revision, mirror)
            if mirror is not None:
                self.notes.append(f"{spec.name}: read {path} from the hub mirror {mirror} "
                                  f"({MIRROR_VAR}); revision {revision} not verified")
        self.source = source
        self._configs: list[str] | None = None
        self._train: Any = None
        self._whole: dict[str, Mapping[str, Any]] = {}

    def where(self, config: str | None, split: str) -> str:
        return f"{self.spec.name} ({self.path}, {config or 'default'}/{split})"

    def read(self, split: str) -> SplitData:
        """The split's data; `MissingSplitError` when the dataset has no such split."""
        kind = self.spec.type
        if kind == "Retrieval":
            return self._retrieval(split)
        if kind == "Reranking":
            return self._reranking(split)
        table, where = self._subset_table(split)
        if kind == "STS":
            return pair_scores_from_hub(table, where, self.spec.score_range)
        if kind == "PairClassification":
            return pair_labels_from_hub(table, where)
        if kind == "Clustering":
            return clustering_sets_from_hub(table, where)
        if self._train is None:
            try:
                self._train = self._subset_table(self.spec.train_split)
            except MissingSplitError as exc:
                raise UserError(f"{exc} (the classification train split)") from None
        return labeled_texts_from_hub(self._train[0], table, where, self._train[1])

    def _subset_table(self, split: str) -> tuple[Any, str]:
        """(table, where) of the task's subset: its config, or for a fast-loading task the rows
        of the `default` config whose `lang` is the subset (MissingSplitError when none)."""
        if not self.spec.dataset.fast_loading:
            return self.source.load(self.subset, split), self.where(self.subset, split)
        where = f"{self.where(None, split)} lang={self.subset}"
        table = rows_of_subset(self.source.load(None, split), self.subset or "", where)
        if table is None:
            raise MissingSplitError(f"{self.spec.name}: {self.path} (default config) has no rows "
                                    f"with lang {self.subset!r} in split {split!r}")
        return table, where

    def _config_names(self) -> list[str]:
        if self._configs is None:
            self._configs = self.source.configs()
        return self._configs

    def _config(self, suffix: str) -> str:
        """`<subset>-<suffix>` (or `<suffix>` without a subset); must exist."""
        name = f"{self.subset}-{suffix}" if self.subset else suffix
        if suffix == "queries" and "query" in self._config_names():
            name = "query"  # mteb's loader accepts this spelling
        if suffix == "qrels" and not self.subset and "default" in self._config_names():
            name = "default"
        if name not in self._config_names():
            raise UserError(f"{self.spec.name}: {self.path}: unknown {self.spec.type} layout, no "
                            f"config {name!r} (configs: {', '.join(self._config_names())})")
        return name

    def _split_of(self, config: str, split: str) -> Any:
        if config not in self._whole:
            self._whole[config] = self.source.load(config, None)
        return _pick_split(self._whole[config], split, self.where(config, split))

    def _beir(self, split: str) -> tuple[Any, Any, Any]:
        """(corpus, queries, qrels) tables; qrels first, so a missing split fails cheaply."""
        qrels = self.source.load(self._config("qrels"), split)
        corpus = self._split_of(self._config("corpus"), split)
        return corpus, self._split_of(self._config("queries"), split), qrels

    def _retrieval(self, split: str) -> SplitData:
        return retrieval_from_hub(*self._beir(split), where=self.where(self.subset, split))

    def _reranking(self, split: str) -> SplitData:
        where = self.where(self.subset, split)
        top_ranked = f"{self.subset}-top_ranked" if self.subset else "top_ranked"
        if top_ranked not in self._config_names():
            return rerank_groups_from_rows(self.source.load(self.subset, split), where)
        ranked = self.source.load(top_ranked, split)
        return rerank_groups_from_hub(*self._beir(split), ranked, where=where)
