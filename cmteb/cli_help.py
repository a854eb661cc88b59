"""What `cmteb --help` and `cmteb --version` show: the top-level description and examples, the
help formatter every command's parser uses, and the version line; also the `--seed` value type
the commands share."""

from __future__ import annotations

import argparse

DESCRIPTION = ("Evaluate Chinese text embedding models and rerankers on C-MTEB; build leaderboards; "
               "track scores in CI.")
EXAMPLES = """\
examples:
  cmteb run --model hash --benchmark demo          # a smoke test: no download, seconds on a CPU
  cmteb run --model BAAI/bge-large-zh-v1.5         # the 31 C-MTEB tasks
  cmteb list --benchmarks                          # the benchmarks; `cmteb list` for the tasks
  cmteb models                                     # registered models and their settings
  cmteb <command> --help                           # each command's options and examples
"""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples as written; every option's help ends with its default, unless
    the help already says it or the option has none (None, a bare flag, an empty list)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (not action.option_strings or "default" in text or action.default is None
                or action.default is False or action.default == argparse.SUPPRESS
                or action.default == []):
            return text
        return f"{text} (default: %(default)s)"


class VersionAction(argparse.Action):
    """`--version`: print `version_line()` and exit 0 (computed only when asked for)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show the version of cmteb and of the libraries that decide a score")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(version_line())
        parser.exit()


def seed(value: str) -> int:
    """A `--seed N` value: numpy's generators take non-negative integers only."""
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {value}")
    return number


MAX_RESAMPLES = 100_000  # far past where a p-value or an interval still moves; bounds the run time


def version_line() -> str:
    """cmteb's version (`cmteb.__version__`, which is also the package metadata's) and the
    installed versions of Python, mteb, torch, transformers and sentence-transformers."""
    import platform

    import cmteb
    from cmteb.results.provenance import library_versions

    versions = library_versions()
    libs = "".join(f", {name} {versions[name]}" for name in VERSION_LIBRARIES if versions.get(name))
    return f"cmteb {cmteb.__version__} (Python {platform.python_version()}{libs})"


VERSION_LIBRARIES = ("mteb", "torch", "transformers", "sentence-transformers")
