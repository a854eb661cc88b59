"""The CLI explains itself: help and default on every flag, examples in every command's help,
`cmteb --version`, `cmteb list --benchmarks`, valid names on an unknown benchmark."""

from __future__ import annotations

import argparse
import json

import pytest

import cmteb
from cmteb.cli import COMMANDS, build_parser, main
from cmteb.cli_help import HelpFormatter
from cmteb.tasks.registry import TaskRegistry


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _command_parser(name: str) -> argparse.ArgumentParser:
    return _subparsers(build_parser([name]))[name]


def _all_parsers(name: str) -> list[tuple[str, argparse.ArgumentParser]]:
    """The command's parser and any nested ones (`baseline save`, `baseline check`)."""
    parser = _command_parser(name)
    return [(name, parser), *((f"{name} {sub}", p) for sub, p in _subparsers(parser).items())]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_option_of_every_command_has_help(command):
    for where, parser in _all_parsers(command):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help.strip(), f"{where}: {action.option_strings or action.dest}"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_help_ends_with_examples_of_itself(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0
    examples = out[out.index("\nexamples:\n"):]
    assert f"\n  cmteb {command}" in examples


def test_top_level_help_has_examples_and_version_flag(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--version" in out and "\nexamples:\n  cmteb run --model hash --benchmark demo" in out


def test_defaults_are_shown_unless_there_is_none_or_the_help_says_it():
    parser = argparse.ArgumentParser(prog="x", formatter_class=HelpFormatter)
    parser.add_argument("--seed", type=int, default=0, help="seed")
    parser.add_argument("--out", default="results", help="folder")
    parser.add_argument("--tolerance", default=0.5, help="points (default 0.5)")
    parser.add_argument("--name", help="a name")
    parser.add_argument("--fast", action="store_true", help="go fast")
    parser.add_argument("--tasks", default=[], help="tasks")
    text = " ".join(parser.format_help().split())
    assert "seed (default: 0)" in text and "folder (default: results)" in text
    assert "points (default 0.5) --name" in text  # not said twice
    assert "a name --fast" in text and "go fast --tasks" in text and text.endswith("tasks")


def test_run_help_shows_defaults_and_the_benchmark_composition(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: results)" in text and "(default: exact)" not in text  # exact: help says it
    assert "--task-types Retrieval,STS only the benchmark's tasks of these types" in text


def test_version_is_the_package_version_and_names_the_scoring_libraries(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    out = capsys.readouterr().out.strip()
    assert stop.value.code == 0
    assert out.startswith(f"cmteb {cmteb.__version__} (Python ")
    assert "mteb " in out and "torch " in out and "\n" not in out


def test_list_benchmarks_table_and_json(capsys):
    registry = TaskRegistry()
    assert main(["list", "--benchmarks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["BENCHMARK", "TASKS", "PROTOCOL"]
    by_name = {line.split("  ")[0]: line for line in lines[2:]}
    assert set(by_name) == set(registry.benchmark_names())
    demo = by_name["demo"].split()
    assert demo[1:3] == ["6", "cmteb"]
    assert main(["list", "--benchmarks", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    for row in rows:
        bench = registry.benchmark(row["name"])
        assert row == {"name": bench.name, "aliases": bench.aliases, "protocol": bench.protocol,
                       "description": " ".join(bench.description.split()), "tasks": bench.tasks}
    assert {r["name"] for r in rows} == set(registry.benchmark_names())


@pytest.mark.parametrize("argv", [["list", "--benchmark", "foo"],
                                  ["run", "--model", "hash", "--benchmark", "foo"]])
def test_an_unknown_benchmark_names_the_valid_ones(argv, capsys, tmp_path):
    assert main([*argv, *(["--output-dir", str(tmp_path)] if argv[0] == "run" else [])]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "unknown benchmark 'foo'" in err
    for name in TaskRegistry().benchmark_names():
        assert name in err


def test_list_benchmark_and_benchmarks_do_not_go_together(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["list", "--benchmarks", "--benchmark", "demo"])
    assert stop.value.code == 2 and "not allowed with" in capsys.readouterr().err

