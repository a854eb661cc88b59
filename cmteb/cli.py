"""`cmteb <command>`: argument parsing and exit codes only; the work lives in the library.

Commands are registered lazily as "module" paths, so `cmteb --help` imports neither torch nor
the commands' dependencies. Each command module defines `add_arguments(parser)` and `main(args)`.
Exit codes: 0 ok, 1 a task failed, 2 invalid input (one line, no traceback; `--debug` shows it),
130 interrupted. A command module may define `EXAMPLES`, shown at the end of its `--help`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Any

from cmteb.cli_help import DESCRIPTION, EXAMPLES, HelpFormatter, VersionAction
from cmteb.errors import EXIT_INTERRUPTED, EXIT_TASK_FAILED, EXIT_USER_ERROR, CmtebError, one_line

COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("cmteb.commands.run_cmd", "evaluate models on tasks and write results"),
    "list": ("cmteb.commands.list_cmd", "list tasks with type, splits, main score and dataset"),
    "models": ("cmteb.commands.models_cmd", "list registered models and the settings they run with"),
    "download": ("cmteb.commands.download_cmd", "write tasks' hub data in the local --data-dir layout"),
    "leaderboard": ("cmteb.commands.leaderboard_cmd", "tables, web page and plots from result folders"),
    "merge": ("cmteb.commands.merge_cmd", "assemble result folders (e.g. of --shard runs) into one"),
    "compare": ("cmteb.commands.compare_cmd", "compare two result sets task by task; exit 1 on regression"),
    "baseline": ("cmteb.commands.baseline_cmd", "save a model's baseline file, or check results against it"),
}


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error on one line and exits 2; its help (and that of every
    subcommand it creates) shows defaults and examples through `HelpFormatter`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}\n")


def _add_global_flags(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--debug", action="store_true", default=default, help="show tracebacks")
    parser.add_argument("-v", "--verbose", action="store_true", default=default,
                        help="log progress details")


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = OneLineParser(prog="cmteb", description=DESCRIPTION, epilog=EXAMPLES)
    parser.add_argument("--version", action=VersionAction)
    _add_global_flags(parser, False)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, (module, help_text) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        # Also accepted after the command (`python -m cmteb.run --debug`); SUPPRESS keeps a flag
        # given before the command from being reset by the subcommand's default.
        _add_global_flags(cmd, argparse.SUPPRESS)
        if name == wanted:  # import only the command being run
            command = importlib.import_module(module)
            command.add_arguments(cmd)
            cmd.epilog = getattr(command, "EXAMPLES", None)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr,
    )
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.main(args))
    except CmtebError as exc:
        if args.debug:
            raise
        print(f"cmteb: error: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cmteb: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, not a traceback
        if args.debug:
            raise
        print(f"cmteb: internal error: {type(exc).__name__}: {one_line(str(exc))} "
              "(rerun with --debug)", file=sys.stderr)
        return EXIT_TASK_FAILED


if __name__ == "__main__":
    sys.exit(main())
