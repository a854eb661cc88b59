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


def test_a_published_leaderboard_is_fsynced_in_place_first_time_and_on_update(tmp_path, fsyncs):
    from cmteb.leaderboard.publish import write_trees

    files = {"leaderboard.md": b"# x\n", "plots/types.png": b"png"}
    out = tmp_path / "lb"
    write_trees([(files, out)])  # `out` is new: the staging folder is renamed to it
    assert fsyncs[-1] == ("folder", str(tmp_path))
    assert oct(out.stat().st_mode & 0o777) == oct(atomic.FOLDER_MODE)
    fsyncs.clear()
    write_trees([({**files, "model-cards/a.md": b"card"}, out)])  # each file renamed into `out`
    moved = [p for kind, p in fsyncs if kind == "folder"][-3:]
    assert sorted(moved) == sorted(str(out / d) for d in ("", "plots", "model-cards"))
    assert (out / "model-cards" / "a.md").read_bytes() == b"card"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lb"]  # no staging folder left


def test_a_downloaded_task_folder_is_fsynced_in_place(tmp_path, fsyncs):
    from cmteb.data.download import DownloadItem, download_tasks
    from tests.data.helpers import FakeHub, make_spec
    from tests.data.test_data_download import SPLITS, TABLES

    spec = make_spec("STS", name="ToySTS", splits=tuple(SPLITS["STS"]))
    report = download_tasks([DownloadItem(spec, ("test",))], tmp_path / "d",
                            source_for=lambda s: FakeHub(TABLES[s.type]))
    assert report.failures == [] and (tmp_path / "d" / "ToySTS").is_dir()
    assert fsyncs[-1] == ("folder", str(tmp_path / "d"))  # the rename of the partial folder
