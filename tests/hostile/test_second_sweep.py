"""A second hostile sweep over every command: each test reproduces one defect it found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.helpers import cli, one_error_line


def cli_or_exit(capsys: pytest.CaptureFixture[str], *args) -> tuple[int, str, str]:
    """`cli`, also for a bad flag, which argparse reports by raising SystemExit."""
    try:
        return cli(capsys, *args)
    except SystemExit as stop:
        out, err = capsys.readouterr()
        return int(stop.code), out, err


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "1e30"])
def test_a_non_finite_or_absurd_api_timeout_is_a_bad_flag(tmp_path, capsys, value):
    code, _, err = cli(capsys, "run", "--model", "api:m", "--api-base", "http://127.0.0.1:9/v1",
                       "--api-timeout", value, "--tasks", "DemoSTS", "--output-dir", tmp_path / "out")
    assert code == 2 and "--api-timeout" in one_error_line(err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("url", ["http://[::1/v1", "http://127.0.0.1:99999/v1", "http://127.0.0.1:x/v1"])
def test_an_unparsable_api_base_is_a_bad_flag(tmp_path, capsys, url):
    code, _, err = cli(capsys, "run", "--model", "api:m", "--api-base", url, "--tasks", "DemoSTS",
                       "--output-dir", tmp_path / "out")
    line = one_error_line(err)
    assert code == 2 and f"--api-base {url!r}" in line and "internal error" not in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("indices", [[0, 0, 0], [1, 2, 3], [0, 2, 2], ["0", "1", "2"]])
def test_an_api_answer_whose_indices_do_not_name_each_text_once_fails_the_task(indices):
    """OpenAI's `index` says which input a row embeds: rows with repeated, missing or non-integer
    indices cannot be matched to the texts, so they must not be scored in some order."""
    from cmteb.errors import TaskError
    from cmteb.models.api_encoder import ApiEncoder
    from cmteb.models.api_options import ApiOptions
    from tests.conftest import make_spec
    from tests.models.api_servers import FaultProxy

    proxy = FaultProxy("http://127.0.0.1:9/v1")
    try:
        proxy.always = ("status", 200, {}, {"data": [
            {"index": i, "embedding": [1.0, float(n), 0.5]} for n, i in enumerate(indices)]})
        encoder = ApiEncoder("m", ApiOptions(base_url=proxy.base, retries=0).checked("api:m"))
        with pytest.raises(TaskError, match="indices") as err:
            encoder.encode(["a", "b", "c"], role="document", task=make_spec("Retrieval"), batch_size=8)
        assert "\n" not in str(err.value)
    finally:
        proxy.close()


@pytest.mark.parametrize("value", ["nan", "inf", "1e400"])
def test_a_non_finite_tolerance_is_a_bad_flag(demo, capsys, value):
    """A NaN or infinite tolerance would make the regression gate unable to fail."""
    for command in (["compare", demo, demo], ["baseline", "check", demo, "--baseline", demo / "none.json"]):
        code, out, err = cli_or_exit(capsys, *command, "--tolerance", value)
        assert code == 2 and "--tolerance" in err and len(err.strip().splitlines()) == 1, command
        assert out == ""


def test_a_negative_seed_is_a_bad_flag(demo, tmp_path, capsys):
    for command in (["compare", demo, demo],
                    ["leaderboard", "--results", demo, "--benchmark", "demo", "--out", tmp_path / "lb"]):
        code, out, err = cli_or_exit(capsys, *command, "--seed", "-1")
        assert code == 2 and "--seed" in err and "internal error" not in err, (command, err)
        assert len(err.strip().splitlines()) == 1 and out == ""
    assert not (tmp_path / "lb").exists()


@pytest.mark.parametrize("where", ["main_score", "cosine_pearson"])
def test_a_score_too_large_for_a_float_is_refused_naming_file_and_metric(demo, tmp_path, capsys, where):
    """JSON allows integers of any size; 10**400 cannot become a float."""
    from tests.compare.helpers import copy_results

    odd = copy_results(demo, tmp_path / "odd")
    path = odd / "DemoSTS.json"
    text = path.read_text("utf-8")
    assert f'"{where}": ' in text
    path.write_text(text.replace(f'"{where}": ', f'"{where}": 1{"0" * 400}, "was": ', 1), encoding="utf-8")
    for command in (["compare", demo, odd], ["merge", odd, "--out", tmp_path / "merged"],
                    ["baseline", "save", odd, "--baselines-dir", tmp_path / "baselines"],
                    ["leaderboard", "--results", odd, "--benchmark", "demo", "--out", tmp_path / "lb"]):
        code, _, err = cli(capsys, *command)
        line = one_error_line(err)
        assert code == 2 and str(path) in line and where in line and "internal error" not in line, command
    assert not any((tmp_path / name).exists() for name in ("merged", "baselines", "lb"))


def test_a_plain_mteb_score_too_large_for_a_float_is_no_internal_error(demo, tmp_path, capsys):
    """Without a cmteb block the file is checked where a value is used: as NaN or inf would be."""
    from tests.compare.helpers import copy_results, edit_json

    odd = copy_results(demo, tmp_path / "odd" / "hash" / "hash-v1")
    edit_json(odd / "DemoSTS.json", lambda doc: doc.pop("cmteb"))
    path = odd / "DemoSTS.json"
    huge = f'"cosine_spearman": -1{"0" * 400}, "was": '
    path.write_text(path.read_text("utf-8").replace('"cosine_spearman": ', huge, 1), encoding="utf-8")
    code, _, err = cli(capsys, "compare", demo, odd, "--allow-mismatch")
    assert code == 2 and "cosine_spearman is a number too large for a float" in one_error_line(err)
    code, out, err = cli(capsys, "leaderboard", "--results", tmp_path / "odd", "--benchmark", "demo",
                         "--out", tmp_path / "lb", "--no-plots", "--format", "json")
    assert code == 0 and "internal error" not in err
    sts = json.loads(out)["models"][0]["tasks"]["DemoSTS"]
    assert sts["score"] is None and "cosine_spearman is not a number" in sts["missing"]


def test_two_definitions_of_one_task_name_are_refused_naming_both(tmp_path, capsys):
    """`--tasks DemoSTS --task-file my/DemoSTS.yaml` (or two task files of one name) used to keep
    the first definition and drop the other without a word."""
    import shutil

    demo_tasks = Path(__file__).resolve().parents[2] / "tasks" / "demo"
    for folder in ("a", "b"):
        shutil.copytree(demo_tasks / "data", tmp_path / folder / "data")
        text = (demo_tasks / "DemoSTS.yaml").read_text("utf-8").replace("version: 1", "version: 7")
        (tmp_path / folder / "DemoSTS.yaml").write_text(text, encoding="utf-8")
    mine, theirs = tmp_path / "a" / "DemoSTS.yaml", tmp_path / "b" / "DemoSTS.yaml"
    for selection in (["--tasks", "DemoSTS", "--task-file", mine],
                      ["--task-file", mine, "--task-file", theirs]):
        code, _, err = cli(capsys, "run", "--model", "hash", *selection, "--output-dir", tmp_path / "out")
        line = one_error_line(err)
        assert code == 2 and "task DemoSTS" in line and str(mine) in line, line
    assert not (tmp_path / "out").exists()
    code, _, err = cli(capsys, "run", "--model", "hash", "--task-file", mine, "--task-file", mine,
                       "--output-dir", tmp_path / "out")
    assert code == 0, err


@pytest.mark.parametrize(("key", "value"), [("max_score", ".inf"), ("min_score", ".nan"),
                                            ("min_score", "-.inf")])
def test_a_non_finite_sts_range_is_a_malformed_task_file(tmp_path, capsys, key, value):
    """max_score .inf used to fail the task while scoring (exit 1, 'cosine_pearson is NaN'), and
    min_score .nan blamed the data's first line."""
    import shutil

    demo_tasks = Path(__file__).resolve().parents[2] / "tasks" / "demo"
    shutil.copytree(demo_tasks / "data", tmp_path / "data")
    text = (demo_tasks / "DemoSTS.yaml").read_text("utf-8").replace("name: DemoSTS", "name: MySTS")
    default = {"min_score": "0", "max_score": "5"}[key]
    text = text.replace(f"{key}: {default}", f"{key}: {value}")
    (tmp_path / "MySTS.yaml").write_text(text, encoding="utf-8")
    code, _, err = cli(capsys, "run", "--model", "hash", "--task-file", tmp_path / "MySTS.yaml",
                       "--output-dir", tmp_path / "out")
    line = one_error_line(err)
    assert code == 2 and f"{tmp_path / 'MySTS.yaml'}: sts.{key}" in line, line
    assert not (tmp_path / "out").exists()


def test_a_class_without_an_encode_method_cannot_start(tmp_path, monkeypatch, capsys):
    """It used to load and then fail every task (exit 1, 'AttributeError: ... no attribute 'encode'')."""
    import sys

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "no_encode_mod.py").write_text("class Enc:\n    def embed(self, texts):\n        return []\n",
                                               encoding="utf-8")
    try:
        code, _, err = cli(capsys, "run", "--model", "no_encode_mod:Enc", "--tasks", "DemoSTS",
                           "--output-dir", tmp_path / "out")
    finally:
        sys.modules.pop("no_encode_mod", None)
    assert code == 2 and "no_encode_mod.py: class Enc has no encode(" in one_error_line(err)
    assert not (tmp_path / "out").exists()
