"""One embedding-cache chunk file: text keys and their float32 rows, checksummed.

Layout (little-endian): MAGIC (8 bytes) | version u32 | dim u32 | rows u64 | blake2b-256 of the
payload (32 bytes) | payload = keys (rows x 16 bytes) then rows x dim float32.

A file is written by the one atomic writer (`cmteb.atomic.replace_file`: temporary file in its
folder, fsync, rename), so a reader never sees a partial file. A truncated file is caught by its size, a
corrupt one by the checksum: both raise `CorruptChunk`, and the cache recomputes those texts.
A temporary file left by a run killed mid-write is removed by the next run that opens the folder
once it is older than STALE_TEMP_SECONDS (a live write takes well under a second; runs sharing the
cache never delete each other's writes in progress).
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
from pathlib import Path

import numpy as np

from cmteb.atomic import replace_file, temp_files

MAGIC = b"CMTEBEMB"
VERSION = 1
_HEAD = struct.Struct("<8sIIQ32s")
KEY_BYTES = 16
SUFFIX = ".emb"
STALE_TEMP_SECONDS = 3600


class CorruptChunk(Exception):
    """A chunk file that is truncated, altered or not a chunk file at all."""


def text_keys(texts: list[str]) -> np.ndarray:
    """(n,) 16-byte keys: blake2b-128 of each exact model-input string (UTF-8)."""
    digests = [hashlib.blake2b(t.encode("utf-8"), digest_size=KEY_BYTES).digest() for t in texts]
    if not digests:
        return np.empty(0, dtype=f"S{KEY_BYTES}")
    return np.frombuffer(b"".join(digests), dtype=f"S{KEY_BYTES}")


def write_chunk(folder: Path, keys: np.ndarray, rows: np.ndarray) -> Path:
    """Write keys (n,) and float32 rows (n, dim) as one chunk in `folder`; returns its path.
    The name is the payload's checksum, so two runs writing the same chunk write one file."""
    rows = np.ascontiguousarray(rows, dtype="<f4")
    payload = keys.astype(f"S{KEY_BYTES}").tobytes() + rows.tobytes()
    digest = hashlib.blake2b(payload, digest_size=32).digest()
    head = _HEAD.pack(MAGIC, VERSION, rows.shape[1], rows.shape[0], digest)
    path = folder / f"{digest.hex()[:40]}{SUFFIX}"
    replace_file(path, head + payload)
    return path


def remove_stale_temp_files(folder: Path) -> None:
    """Delete temporary files in `folder` older than STALE_TEMP_SECONDS."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for tmp in temp_files(folder):
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
        except FileNotFoundError:  # finished or removed by another run meanwhile
            continue


def _read_head(fh, size: int, path: Path) -> tuple[int, int, bytes]:
    raw = fh.read(_HEAD.size)
    if len(raw) != _HEAD.size:
        raise CorruptChunk(f"{path}: truncated header")
    magic, version, dim, rows, digest = _HEAD.unpack(raw)
    if magic != MAGIC or version != VERSION:
        raise CorruptChunk(f"{path}: not a cmteb embedding chunk (version {version})")
    if size != _HEAD.size + rows * (KEY_BYTES + 4 * dim):
        raise CorruptChunk(f"{path}: {size} bytes, expected {_HEAD.size + rows * (KEY_BYTES + 4 * dim)}")
    return dim, rows, digest


def read_keys(path: Path) -> np.ndarray:
    """The chunk's keys (n,) without reading its rows; checks the header and the file size."""
    with path.open("rb") as fh:
        _, rows, _ = _read_head(fh, os.fstat(fh.fileno()).st_size, path)
        return np.frombuffer(fh.read(rows * KEY_BYTES), dtype=f"S{KEY_BYTES}")


def read_chunk(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(keys (n,), rows float32 (n, dim)); raises CorruptChunk unless the checksum matches."""
    with path.open("rb") as fh:
        dim, rows, digest = _read_head(fh, os.fstat(fh.fileno()).st_size, path)
        payload = fh.read()
    if hashlib.blake2b(payload, digest_size=32).digest() != digest:
        raise CorruptChunk(f"{path}: checksum mismatch")
    keys = np.frombuffer(payload[: rows * KEY_BYTES], dtype=f"S{KEY_BYTES}")
    data = np.frombuffer(payload[rows * KEY_BYTES :], dtype="<f4").reshape(rows, dim)
    return keys, data.astype(np.float32, copy=False)
