"""Ctrl-C while a `cmteb` command starts: exit 130 with one line, not a traceback from an import.

Imported first by `cmteb/__init__.py`. In a cmteb command (the `cmteb` console script, `python -m
cmteb` or `python -m cmteb.run`, told apart by `sys.orig_argv`) it installs a SIGINT handler that
prints `cmteb: interrupted` and exits 130 at once; `cmteb.cli.main` restores the previous handler
as soon as it catches KeyboardInterrupt itself. In any other process (a test runner, a notebook
that imports cmteb) it changes nothing. What runs before this module (the interpreter's own start,
`runpy` for `-m`) cannot be covered from here.
"""

import os
import signal
import sys

COMMAND_SCRIPTS = ("cmteb", "cmteb.exe", "cmteb-script.py")


def started_as_command() -> bool:
    """True when this process is a cmteb command (module docstring): Python's own options, then
    `-m cmteb[.…]` or the `cmteb` script."""
    args = list(getattr(sys, "orig_argv", sys.argv))[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("-m"):
            module = arg[2:] or (args[i + 1] if i + 1 < len(args) else "")
            return module == "cmteb" or module.startswith("cmteb.")
        if arg.startswith("-c") or arg == "-":
            return False
        if arg in ("-X", "-W", "--check-hash-based-pycs"):
            i += 2
        elif arg.startswith("-"):
            i += 1
        else:
            return os.path.basename(arg) in COMMAND_SCRIPTS
    return False


def exit_quietly(signum: int, frame: object) -> None:
    """The SIGINT handler while cmteb imports: one line on stderr, exit 130."""
    os.write(2, b"cmteb: interrupted\n")
    os._exit(130)


PREVIOUS_SIGINT = signal.getsignal(signal.SIGINT)
if PREVIOUS_SIGINT is signal.default_int_handler and started_as_command():
    try:
        signal.signal(signal.SIGINT, exit_quietly)
    except ValueError:  # not the main thread: leave signals alone
        pass


def end_of_startup() -> None:
    """Put the previous SIGINT handler back (called by `cmteb.cli.main` inside its try block)."""
    if signal.getsignal(signal.SIGINT) is exit_quietly:
        signal.signal(signal.SIGINT, PREVIOUS_SIGINT)
