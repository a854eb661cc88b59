"""Which store a model's embeddings go to during a run: the shared on-disk cache or a
run-scoped one.

A model gets the on-disk cache (`--cache-dir`, default `default_cache_dir()`) when it has a
stable identity: a real revision (a hub commit, a local folder's content hash, a package
version, or the `--revision` given to a `package.module:ClassName`) and an adapter that loads it
from there. In-memory Python objects (`cmteb.evaluate(obj)`, which may change between calls under
any revision) and models without a resolvable revision cannot be identified across runs: they,
and every model under `--no-cache`, get a store in a temporary folder that lives for the run
only, so texts shared between tasks are still encoded once. Cross-encoders store their pair
scores the same way (rows of width 1, `cmteb.models.pair_scorer`). The hash model is faster to
recompute than to read, and lexical models (bm25) neither embed nor score with a model: they get
no store at all.

`RunStores` holds the stores of one run (or of one Ray job): one per model identity, opened on
first use; the run-scoped ones are deleted when it closes. `pipeline.task.task_embedder` takes the
store from it, so local runs and Ray workers use the cache the same way.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from cmteb.engine.cache import EmbeddingCache, namespace_of
from cmteb.errors import UserError
from cmteb.models.types import NO_REVISION, Adapter, ModelKind, ResolvedModel

NO_STORE_ADAPTERS = (Adapter.HASH,)  # recomputing is faster than a store
NOT_CACHED_ADAPTERS = (*NO_STORE_ADAPTERS, Adapter.PYTHON_OBJECT)  # no identity across runs
IDENTITY_FORMAT = 1


def default_cache_dir() -> Path:
    """`$CMTEB_CACHE_DIR`, else the user cache folder: `$XDG_CACHE_HOME/cmteb` or
    `~/.cache/cmteb` (Linux), `~/Library/Caches/cmteb` (macOS), `%LOCALAPPDATA%\\cmteb\\cache` (Windows)."""
    if os.environ.get("CMTEB_CACHE_DIR"):
        return Path(os.environ["CMTEB_CACHE_DIR"])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "cmteb" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "cmteb"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cmteb"


def cache_identity(model: ResolvedModel) -> dict[str, Any] | None:
    """What names a model's cached rows: name, revision, adapter and every recorded setting
    (pooling, normalization, max length, dtype, ...); None when the model cannot be cached."""
    served = model.adapter == Adapter.API  # named by its base URL, model and request settings
    if model.adapter in NOT_CACHED_ADAPTERS or (model.revision == NO_REVISION and not served):
        return None
    return {"format": IDENTITY_FORMAT, "name": model.name, "revision": model.revision,
            "adapter": model.adapter, "settings": model.settings}


@contextmanager
def model_store(model: ResolvedModel, *, cache_dir: Path | None, use_cache: bool) -> Iterator[EmbeddingCache]:
    """The store for `model` in this run (module docstring); the run-scoped one is deleted after."""
    identity = cache_identity(model) if use_cache else None
    if identity is not None:
        root = cache_dir or default_cache_dir()
        try:
            cache = EmbeddingCache(root, identity)
        except OSError as exc:
            raise UserError(f"--cache-dir {root}: cannot create the cache there ({exc.strerror})") from exc
        yield cache
        return
    with tempfile.TemporaryDirectory(prefix="cmteb-run-") as tmp:
        yield EmbeddingCache(Path(tmp), {"run_scoped": model.name})


class RunStores:
    """The embedding stores of one run: `for_model(model)` -> its store (None when the model
    gets none, see the module docstring). Use as a context manager; closing deletes the
    run-scoped stores."""

    def __init__(self, *, cache_dir: Path | None, use_cache: bool) -> None:
        self.cache_dir, self.use_cache = cache_dir, use_cache
        self._stack = ExitStack()
        self._stores: dict[str, EmbeddingCache] = {}

    def for_model(self, model: ResolvedModel) -> EmbeddingCache | None:
        if model.kind == ModelKind.LEXICAL or model.adapter in NO_STORE_ADAPTERS:
            return None
        key = namespace_of({"name": model.name, "revision": model.revision, "adapter": model.adapter,
                            "settings": model.settings})
        if key not in self._stores:
            self._stores[key] = self._stack.enter_context(
                model_store(model, cache_dir=self.cache_dir, use_cache=self.use_cache))
        return self._stores[key]

    def close(self) -> None:
        self._stores.clear()
        self._stack.close()

    def __enter__(self) -> RunStores:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
