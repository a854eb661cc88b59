"""Embedding-cache chunks damaged between two runs: detected, dropped and recomputed, so the
second run's results equal an uninterrupted run's.

The model is the hash encoder loaded as a Python class with a revision, which gives it the
on-disk cache (the built-in `--model hash` never gets one) and the scores of `--model hash`.
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path

from cmteb.engine.chunk_file import read_chunk
from tests.reliability.helpers import DEMO, result_files, run_cmteb, scores_by_task

CACHED = ("--model", "cmteb.models.hash_encoder:HashEncoder", "--revision", "test-1")
HEADER_BYTES = 56  # MAGIC 8 | version 4 | dim 4 | rows 8 | blake2b-256 32 (cmteb.engine.chunk_file)


def chunk_files(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.emb"))


def chunk_rows(path: Path) -> int:
    return struct.unpack("<Q", path.read_bytes()[16:24])[0]


def flip_one_bit_per_row(path: Path) -> None:
    """Flip an exponent bit of each row's first value: every row still holds floats, all wrong."""
    data = bytearray(path.read_bytes())
    dim, rows = struct.unpack("<IQ", data[12:24])
    start = HEADER_BYTES + rows * 16  # after the 16-byte text keys
    for row in range(rows):
        data[start + row * dim * 4 + 3] ^= 0x40  # the high byte of a little-endian float32
    path.write_bytes(bytes(data))


def encoding_totals(out: Path) -> tuple[int, int]:
    """(texts encoded, cache hits) summed over every result under `out`."""
    import json

    docs = [json.loads(p.read_text("utf-8"))["cmteb"]["encoding"] for p in result_files(out).values()]
    return sum(d["encoded"] for d in docs), sum(d["cache_hits"] for d in docs)


def test_truncated_and_bit_flipped_chunks_are_recomputed(tmp_path, capsys, caplog, clean_scores):
    cache = tmp_path / "cache"
    args = (*CACHED, *DEMO, "--cache-dir", str(cache))
    assert run_cmteb(capsys, *args, "--output-dir", str(tmp_path / "first"))[0] == 0
    chunks = chunk_files(cache)
    assert len(chunks) >= 3
    truncated, flipped = sorted(chunks, key=chunk_rows)[-2:]  # the two largest
    damaged_rows = chunk_rows(truncated) + chunk_rows(flipped)
    truncated.write_bytes(truncated.read_bytes()[: HEADER_BYTES + 100])
    flip_one_bit_per_row(flipped)  # only the checksum can tell

    caplog.set_level(logging.WARNING, logger="cmteb")
    out = tmp_path / "second"
    assert run_cmteb(capsys, *args, "--output-dir", str(out))[0] == 0
    assert scores_by_task(out) == clean_scores
    dropped = [r.getMessage() for r in caplog.records if "dropping unreadable chunk" in r.getMessage()]
    assert len(dropped) == 2
    assert any("bytes, expected" in m for m in dropped) and any("checksum mismatch" in m for m in dropped)
    encoded, hits = encoding_totals(out)
    assert encoded == damaged_rows and hits > 0  # exactly the damaged chunks' texts, the rest read
    for path in chunk_files(cache):  # the recomputed rows were stored again, every chunk is sound
        read_chunk(path)
