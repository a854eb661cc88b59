"""Issue 16 item 8: `merge --out FILE`, Ctrl-C while cmteb starts, and a closed stdout pipe."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.compare.helpers import copy_results, edit_json
from tests.hostile.helpers import cli, one_error_line

ROOT = Path(__file__).resolve().parents[2]


def test_merge_into_an_existing_file_exits_2_and_keeps_it(demo, tmp_path, capsys):
    target = tmp_path / "existing_file"
    target.write_text("keep me", encoding="utf-8")
    code, _, err = cli(capsys, "merge", demo.parent.parent, "--out", target)
    assert code == 2 and f"--out {target}: exists and is not a folder" in one_error_line(err)
    assert target.read_text("utf-8") == "keep me"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


# Runs `python -m cmteb.run ARGS` (as runpy does for -m, with the command line Python records for
# it) after installing an import hook that sends this process SIGINT the moment `target` is first
# imported: a Ctrl-C at an exact point of cmteb's start, without timing luck.
_INTERRUPT_AT_IMPORT = textwrap.dedent("""
    import importlib.abc, os, runpy, signal, sys

    target, args = sys.argv[1], sys.argv[2:]

    class InterruptOnImport(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, module=None):
            if name == target:
                sys.meta_path.remove(self)
                os.kill(os.getpid(), signal.SIGINT)
            return None

    sys.meta_path.insert(0, InterruptOnImport())
    sys.orig_argv = [sys.executable, "-m", "cmteb.run", *args]
    sys.argv = ["-m", *args]
    runpy.run_module("cmteb.run", run_name="__main__", alter_sys=True)
""")


@pytest.mark.parametrize("target", [
    "argparse",  # cli.py's imports, after the package's first line
    "cmteb.errors",
    "cmteb.commands.run_cmd",  # parsing the arguments imports the command
    "cmteb.config",
])
def test_ctrl_c_while_cmteb_starts_exits_130_without_a_traceback(tmp_path, target):
    proc = subprocess.run(
        [sys.executable, "-c", _INTERRUPT_AT_IMPORT, target, "--model", "hash", "--tasks", "DemoSTS",
         "--output-dir", str(tmp_path / "out")],
        capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120,
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "cmteb: interrupted\n"
    assert not (tmp_path / "out").exists()


def _with_closed_stdout(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    """`python -m cmteb ARGS` whose stdout is a pipe the reader has already closed (`| head`)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "cmteb", *map(str, args)], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, env=_env(), cwd=cwd, timeout=300)
    finally:
        os.close(write_end)


def test_a_closed_pipe_is_a_normal_end(demo, tmp_path):
    for args in (["list"], ["list", "--format", "json"],
                 ["leaderboard", "--results", demo, "--benchmark", "demo", "--out", tmp_path / "b",
                  "--format", "json"],
                 ["compare", demo, demo]):
        proc = _with_closed_stdout(*args, cwd=tmp_path)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "Error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_a_closed_pipe_keeps_compares_verdict(demo, tmp_path):
    worse = copy_results(demo, tmp_path / "worse")
    edit_json(worse / "DemoRetrieval.samples.json", lambda d: d["splits"]["dev"].update(
        ndcg_at_10=[0.0] * len(d["splits"]["dev"]["ndcg_at_10"])))
    edit_json(worse / "DemoRetrieval.json", lambda d: d["scores"]["dev"][0].update(
        ndcg_at_10=0.0, main_score=0.0))
    proc = _with_closed_stdout("compare", demo, worse, cwd=tmp_path)
    assert proc.returncode == 1 and "cmteb: regression: DemoRetrieval" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("orig_argv", "command"), [
    (["python", "-m", "cmteb.run", "--model", "hash"], True),
    (["python", "-X", "importtime", "-m", "cmteb", "list"], True),
    (["/venv/bin/python", "/venv/bin/cmteb", "list"], True),
    (["python", "-m", "pytest", "-q"], False),
    (["python", "-c", "import cmteb"], False),
    (["python", "notebook.py", "-m", "cmteb.run"], False),
])
def test_only_a_cmteb_command_takes_over_ctrl_c_while_starting(monkeypatch, orig_argv, command):
    from cmteb import _startup

    monkeypatch.setattr(sys, "orig_argv", orig_argv)
    assert _startup.started_as_command() is command


def test_importing_cmteb_in_another_program_leaves_ctrl_c_alone():
    code = ("import signal, cmteb.cli; "
            "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(),
                          timeout=120)
    assert proc.stdout.strip() == "True", proc.stderr
