"""Run files: each query's hits cut at the depth, best first, and read back unchanged."""

from __future__ import annotations

from cmteb.results.runs import read_runs, write_runs


def test_runs_are_cut_at_depth_and_read_back_in_rank_order(tmp_path):
    runs = {"dev": {"q1": {"d9": 0.9, "d2": 0.5, "d7": 0.25, "d1": 0.125},
                    "q2": {"d3": 0.75}}}
    path = write_runs(tmp_path / "Task.json", "Task", "bge-2023", runs, depth=3)
    doc = read_runs(path)
    assert path.name == "Task.run.json.gz"
    assert (doc["task"], doc["protocol"], doc["depth"]) == ("Task", "bge-2023", 3)
    assert doc["splits"] == {"dev": {"q1": {"d9": 0.9, "d2": 0.5, "d7": 0.25}, "q2": {"d3": 0.75}}}
    assert list(doc["splits"]["dev"]["q1"]) == ["d9", "d2", "d7"]
