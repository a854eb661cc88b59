"""Issue 16 item 3: `compare` and `baseline check` exit 1 for a regression and for nothing else.

Every bad input (an unknown protocol, per-sample columns that do not describe their result) and
every failure of the tool (a report that cannot be written, an unexpected exception) exits 2.
"""

from __future__ import annotations

import math

import pytest

from tests.compare.helpers import copy_results, edit_json
from tests.hostile.helpers import cli, one_error_line


def test_an_unwritable_report_exits_2(demo, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    code, _, err = cli(capsys, "compare", demo, demo, "--report", blocker / "report.md")
    assert code == 2 and f"cannot write {blocker / 'report.md'}" in one_error_line(err)
    assert blocker.read_text("utf-8") == "not a folder"


@pytest.mark.parametrize("protocol", ["bogus", 7, ["cmteb"]])
def test_a_baseline_with_an_unknown_protocol_exits_2(demo, tmp_path, capsys, protocol):
    bl = tmp_path / "bl"
    assert cli(capsys, "baseline", "save", demo, "--baselines-dir", bl)[0] == 0
    edit_json(bl / "hash.json", lambda doc: doc["tasks"]["DemoSTS"]["result"]["cmteb"].update(
        protocol=protocol))
    code, _, err = cli(capsys, "baseline", "check", demo, "--baselines-dir", bl)
    expected = f"hash.json#DemoSTS: unknown protocol {protocol!r} (cmteb knows cmteb, mteb)"
    assert code == 2 and expected in one_error_line(err)


def _edit_samples(folder, task, change):
    edit_json(folder / f"{task}.samples.json", change)


SAMPLE_CASES = {
    "a column one value short": (
        "DemoSTS", lambda d: d["splits"]["test"]["cosine"].pop(),
        "split test: per-sample columns of different lengths (cosine 39, gold 40)"),
    "null in a column": (
        "DemoSTS", lambda d: d["splits"]["test"]["cosine"].__setitem__(3, None),
        "split test: cosine[3] is null, not a finite number"),
    "NaN in a column": (
        "DemoPairClassification", lambda d: d["splits"]["validation"]["dot"].__setitem__(0, math.nan),
        "split validation: dot[0] is NaN, not a finite number"),
    "samples of another split": (
        "DemoSTS", lambda d: d.update(splits={"dev": d["splits"]["test"]}),
        "per-sample scores for split(s) dev, but the result has test"),
    "query ids repeated": (
        "DemoRetrieval", lambda d: d["splits"]["dev"].update(query_ids=["q"] * 20),
        "split dev: query_ids must hold distinct strings"),
    "no values": (
        "DemoClustering", lambda d: d["splits"]["test"].update(v_measure=[]),
        "split test: no per-sample values"),
}


@pytest.mark.parametrize("case", list(SAMPLE_CASES))
def test_per_sample_files_that_do_not_describe_their_result_exit_2(demo, tmp_path, capsys, case):
    task, change, fragment = SAMPLE_CASES[case]
    bad = copy_results(demo, tmp_path / "bad")
    _edit_samples(bad, task, change)
    code, out, err = cli(capsys, "compare", demo, bad)
    assert code == 2 and out == "", out
    assert fragment in one_error_line(err) and task in err


def test_sides_of_the_same_data_whose_samples_differ_in_number_exit_2(demo, tmp_path, capsys):
    """Both columns one pair short: well-formed, but not the samples of the same data."""
    fewer = copy_results(demo, tmp_path / "fewer")
    _edit_samples(fewer, "DemoSTS", lambda d: [c.pop() for c in d["splits"]["test"].values()])
    code, _, err = cli(capsys, "compare", demo, fewer)
    assert code == 2
    assert "test: 40 samples in the baseline, 39 in the candidate) although both record the same data" in (
        one_error_line(err))
    # different data, accepted with --allow-mismatch: compared on the main score alone, and said so
    edit_json(fewer / "DemoSTS.json", lambda doc: doc.update(dataset_revision="sha256:other"))
    code, out, err = cli(capsys, "compare", demo, fewer, "--allow-mismatch")
    assert code == 0, err
    row = next(ln for ln in out.splitlines() if ln.startswith("| DemoSTS "))
    assert "main score only" in row
    assert "per-sample scores do not describe the same samples" in out


def test_a_failure_of_the_tool_itself_exits_2_in_one_line(demo, capsys, monkeypatch):
    import cmteb.compare.core as core

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(core, "compare_sets", broken)
    code, _, err = cli(capsys, "compare", demo, demo)
    assert code == 2
    assert err.strip() == ("cmteb: internal error: RuntimeError: disk on fire second line "
                           "(rerun with --debug)")

