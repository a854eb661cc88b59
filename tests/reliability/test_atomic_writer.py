"""The one atomic writer (`cmteb.atomic`): what every writer of the package goes through."""

from __future__ import annotations

import errno
import os

import numpy as np
import pytest

import cmteb.atomic as atomic
from cmteb.data.local_write import write_atomic
from cmteb.engine.chunk_file import read_chunk, text_keys, write_chunk
from cmteb.results.io import WriteError, stale_temp_files, write_json_atomic


@pytest.fixture
def fsyncs(monkeypatch):
    """Every fsync as (kind, path): 'file' for a file descriptor, 'folder' for a directory."""
    seen: list[tuple[str, str]] = []
    original = os.fsync

    def recording(fd):
        path = os.readlink(f"/proc/self/fd/{fd}")
        seen.append(("folder" if os.path.isdir(path) else "file", path))
        return original(fd)

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc to name file descriptors")
    monkeypatch.setattr(atomic.os, "fsync", recording)
    return seen


def test_results_cache_chunks_and_task_data_are_all_fsynced_then_their_folder(tmp_path, fsyncs):
    write_json_atomic(tmp_path / "r" / "Task.json", {"a": 1})
    chunk = write_chunk(tmp_path, text_keys(["x"]), np.ones((1, 2), dtype=np.float32))
    write_atomic(tmp_path / "d" / "test.jsonl", ['{"a": 1}\n'])
    folders = [p for kind, p in fsyncs if kind == "folder"]
    assert folders == [str(tmp_path / "r"), str(tmp_path), str(tmp_path / "d")]
    assert [kind for kind, _ in fsyncs] == ["file", "folder"] * 3
    np.testing.assert_array_equal(read_chunk(chunk)[1], np.ones((1, 2), dtype=np.float32))


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "Task.samples.json"
    write_json_atomic(path, {"old": True})

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(WriteError, match=r"cannot write .*Task.samples.json: No space left on device"):
        write_json_atomic(path, {"new": True})
    with pytest.raises(OSError):  # the writer itself leaves the meaning of a failure to its caller
        atomic.replace_file(path, b"{}")
    assert [p.name for p in tmp_path.iterdir()] == ["Task.samples.json"]
    assert path.read_text("utf-8") == '{\n  "old": true\n}\n'


def test_temp_files_of_a_killed_writer_are_found_by_target_name(tmp_path):
    left = [tmp_path / ".Task.json.k2j4_x.tmp", tmp_path / ".Task.samples.json.a1b2.tmp"]
    for path in [*left, tmp_path / "Task.json", tmp_path / ".hidden"]:
        path.write_text("x", encoding="utf-8")
    assert atomic.temp_files(tmp_path) == sorted(left)
    assert stale_temp_files(tmp_path / "Task.json") == [left[0]]
    assert stale_temp_files(tmp_path / "Task.samples.json") == [left[1]]
    assert atomic.temp_files(tmp_path / "missing") == []
