"""Issue 16 item 7: the same local data read from two paths is the same data.

The content fingerprint decides; the folder is provenance (still recorded, never compared).
"""

from __future__ import annotations

import json
import shutil

from cmteb.tasks.registry import tasks_root
from tests.hostile.helpers import cli, one_error_line

DEMO_DATA = tasks_root() / "demo" / "data"


def _data(folder):
    shutil.copytree(DEMO_DATA / "DemoSTS", folder / "DemoSTS")
    return folder


def test_a_relative_and_an_absolute_data_dir_are_the_same_data(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _data(tmp_path / "d1")
    args = ("run", "--model", "hash", "--tasks", "DemoSTS", "--output-dir", "out", "--no-progress")
    assert cli(capsys, *args, "--data-dir", "d1")[0] == 0
    code, out, err = cli(capsys, *args, "--data-dir", tmp_path / "d1")
    assert code == 0, err
    assert "(already done)" in out
    doc = json.loads(next((tmp_path / "out").rglob("DemoSTS.json")).read_text("utf-8"))
    assert doc["cmteb"]["data"]["location"] == "d1/DemoSTS"  # provenance of the run that computed it


def test_changed_content_at_the_same_path_is_still_refused(tmp_path, capsys):
    data = _data(tmp_path / "d1")
    args = ("run", "--model", "hash", "--tasks", "DemoSTS", "--output-dir", tmp_path / "out",
            "--no-progress", "--data-dir", data)
    assert cli(capsys, *args)[0] == 0
    test_file = data / "DemoSTS" / "test.jsonl"
    test_file.write_text(test_file.read_text("utf-8").replace('"score": 5.0', '"score": 4.0', 1), "utf-8")
    code, _, err = cli(capsys, *args)
    assert code == 2 and "different data" in one_error_line(err)


def test_shards_run_on_copies_of_the_data_merge_without_conflict(tmp_path, capsys):
    """Two machines, two copies of the same data at different paths; the same task run on both."""
    for machine in ("a", "b"):
        data = _data(tmp_path / machine / "data")
        assert cli(capsys, "run", "--model", "hash", "--tasks", "DemoSTS", "--data-dir", data,
                   "--output-dir", tmp_path / machine / "out", "--no-progress")[0] == 0
    code, out, err = cli(capsys, "merge", tmp_path / "a" / "out", tmp_path / "b" / "out",
                         "--out", tmp_path / "merged")
    assert code == 0, err
    assert "1 identical duplicate(s)" in out
