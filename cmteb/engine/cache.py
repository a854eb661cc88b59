"""The on-disk embedding cache: one folder per model identity, immutable checksummed chunks.

Layout: `<cache root>/v1/<namespace>/` holds `identity.json` (what the namespace stands for, for
people) and chunk files (`chunk_file`). The namespace is a hash of the model identity (name,
revision, adapter and every recorded setting: pooling, normalization, max length, dtype, ...);
the key of a row is a hash of the exact model-input string (prefix and instruction included).
So any change to the model, its settings or the text a model sees is a miss.

Sharing: chunks are only ever added, each atomically under a content-derived name, and never
rewritten, so concurrent runs need no lock; each sees the others' chunks when it next looks up.
Resuming: an interrupted run keeps every chunk written so far; its half-written temporary file is
removed by a later run (`chunk_file.remove_stale_temp_files`). A chunk that fails its size or
checksum check is deleted and its texts are recomputed. Rows are stored exactly as computed
(float32), so a cached run gives identical scores.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from cmteb.engine.chunk_file import (
    SUFFIX,
    CorruptChunk,
    read_chunk,
    read_keys,
    remove_stale_temp_files,
    text_keys,
    write_chunk,
)
from cmteb.results.io import write_json_atomic

log = logging.getLogger("cmteb")

LAYOUT = "v1"
CHUNK_ROWS = 4096


def namespace_of(identity: dict[str, Any]) -> str:
    """32 hex chars naming the folder of a model identity (canonical JSON, sorted keys)."""
    canonical = json.dumps(identity, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=16).hexdigest()


class EmbeddingCache:
    """The cached rows of one model identity under `root` (module docstring)."""

    def __init__(self, root: Path, identity: dict[str, Any]) -> None:
        self.folder = Path(root) / LAYOUT / namespace_of(identity)
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(self.folder)
        if not (self.folder / "identity.json").exists():
            write_json_atomic(self.folder / "identity.json", identity)
        self.writable = True
        self._files: list[Path | None] = []  # None: dropped as corrupt
        self._keys = np.empty(0, dtype="S16")
        self._where = np.empty((0, 2), dtype=np.int64)  # (file number, row) per sorted key

    def lookup(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """(found: bool (n,), rows: float32 (found.sum(), dim) in text order, None if none)."""
        self._scan()
        keys = text_keys(texts)
        found = np.zeros(len(texts), dtype=bool)
        if len(self._keys) == 0 or len(texts) == 0:
            return found, None
        pos = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
        found = self._keys[pos] == keys
        if not found.any():
            return found, None
        where = self._where[pos[found]]
        rows = self._gather(keys[found], where)
        if rows is None:  # a chunk was corrupt: it is gone now, look again
            return self.lookup(texts)
        return found, rows

    def _gather(self, keys: np.ndarray, where: np.ndarray) -> np.ndarray | None:
        """Rows for `keys` at (file, row) `where`, read file by file; None after dropping a
        corrupt file."""
        out: np.ndarray | None = None
        for file_no in np.unique(where[:, 0]):
            mask = where[:, 0] == file_no
            path = self._files[file_no]
            assert path is not None  # dropped files have no index entries
            try:
                chunk_keys, data = read_chunk(path)
                rows = where[mask, 1]
                if not np.array_equal(chunk_keys[rows], keys[mask]):
                    raise CorruptChunk(f"{path}: keys changed since indexed")
            except (CorruptChunk, OSError) as exc:
                self._drop(file_no, exc)
                return None
            if out is None:
                out = np.empty((len(keys), data.shape[1]), dtype=np.float32)
            out[mask] = data[rows]
        return out

    def store(self, texts: list[str], rows: np.ndarray) -> None:
        """Add `rows` (float32 (n, dim)) for `texts`, CHUNK_ROWS per file. A write failure (disk
        full, read-only) only turns writing off for this run, with a warning."""
        if not self.writable or len(texts) == 0:
            return
        keys = text_keys(texts)
        written = []
        try:
            for start in range(0, len(texts), CHUNK_ROWS):
                part = slice(start, start + CHUNK_ROWS)
                written.append((write_chunk(self.folder, keys[part], rows[part]), keys[part]))
        except OSError as exc:
            self.writable = False
            log.warning("embedding cache %s: cannot write (%s); continuing without storing", self.folder, exc)
        self._add(written)

    def _scan(self) -> None:
        """Index chunk files written since the last look (by this or another process)."""
        known = {p.name for p in self._files if p is not None}
        found = []
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            if path.name in known:
                continue
            try:
                found.append((path, read_keys(path)))
            except FileNotFoundError:  # removed by another run since the listing
                continue
            except (CorruptChunk, OSError) as exc:
                self._remove_file(path, exc)
        self._add(found)

    def _add(self, chunks: list[tuple[Path, np.ndarray]]) -> None:
        """Index new chunk files [(path, keys)] (one sort for all of them)."""
        chunks = [(p, k) for p, k in chunks if p not in self._files]
        if not chunks:
            return
        parts_keys, parts_where = [self._keys], [self._where]
        for path, keys in chunks:
            parts_keys.append(keys)
            parts_where.append(np.column_stack([np.full(len(keys), len(self._files)), np.arange(len(keys))]))
            self._files.append(path)
        all_keys = np.concatenate(parts_keys)
        order = np.argsort(all_keys, kind="stable")
        self._keys, self._where = all_keys[order], np.concatenate(parts_where)[order]

    def _drop(self, file_no: int, exc: BaseException) -> None:
        keep = self._where[:, 0] != file_no
        self._keys, self._where = self._keys[keep], self._where[keep]
        path, self._files[file_no] = self._files[file_no], None
        if path is not None:
            self._remove_file(path, exc)

    def _remove_file(self, path: Path, exc: BaseException) -> None:
        if isinstance(exc, FileNotFoundError):  # another run removed it: nothing to report
            return
        log.warning("embedding cache: dropping unreadable chunk (%s); its texts are recomputed", exc)
        path.unlink(missing_ok=True)
