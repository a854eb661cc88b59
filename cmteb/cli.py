"""`cmteb <command>`: argument parsing and exit codes only; the work lives in the library.

Commands are registered lazily as "module" paths, so `cmteb --help` imports neither torch nor
the commands' dependencies. Each command module defines `add_arguments(parser)` and `main(args)`.
Exit codes: 0 ok, 1 a task failed (run) or a regression (compare, baseline check), 2 invalid
input or a failure of the tool itself (one line, no traceback; `--debug` shows it), 130
interrupted. Ctrl-C is quiet from the first import of cmteb on (`cmteb._startup`); a closed
stdout pipe (`cmteb list | head -1`) is a normal end (`PipeSafeStream`). A command module may
define `EXAMPLES`, shown at the end of its `--help`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Any, TextIO

from cmteb import _startup
from cmteb.cli_help import DESCRIPTION, EXAMPLES, HelpFormatter, VersionAction
from cmteb.errors import EXIT_INTERRUPTED, EXIT_USER_ERROR, CmtebError, one_line

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


class PipeSafeStream:
    """stdout/stderr for the duration of `main`: once the reader has gone (`| head -1`), further
    output is dropped instead of raising BrokenPipeError, and the command ends as it would have
    (its own exit code). As the Python docs advise, the file descriptor is pointed at devnull so
    the interpreter's last flush does not fail either."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.pipe_closed = False

    def write(self, text: str) -> int:
        if not self.pipe_closed:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop_output()
        return len(text)

    def flush(self) -> None:
        if not self.pipe_closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop_output()

    def _drop_output(self) -> None:
        self.pipe_closed = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # no file descriptor (captured in tests)
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    streams = sys.stdout, sys.stderr
    try:
        _startup.end_of_startup()  # from here on Ctrl-C is a KeyboardInterrupt, handled below
        sys.stdout, sys.stderr = PipeSafeStream(streams[0]), PipeSafeStream(streams[1])
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:  # while parsing arguments or importing the command
        print("cmteb: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = streams


def _main(argv: list[str]) -> int:
    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr,
    )
    if not args.verbose:  # one warning per HTTP retry; an api: model's error says how many there were
        logging.getLogger("urllib3").setLevel(logging.ERROR)
    try:
        module = importlib.import_module(COMMANDS[args.command][0])
        return int(module.main(args))
    except CmtebError as exc:
        if args.debug:
            raise
        for line in exc.lines():
            print(f"cmteb: error: {one_line(line)}", file=sys.stderr)
        # exit 1 means "a task failed" only for `run`; raised from any other command, a
        # TaskError (e.g. a file that cannot be written) is a failure of the tool: 2
        return exc.exit_code if args.command == "run" else EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("cmteb: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # last line of defence: one line, not a traceback
        if args.debug:
            raise
        print(f"cmteb: internal error: {type(exc).__name__}: {one_line(str(exc))} "
              "(rerun with --debug)", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
