"""Names are data: make any text safe to put in a CSV cell or a Markdown document.

Every output that shows a model, task, file or folder name goes through one of these (HTML uses
the standard library's `html.escape`; plots switch matplotlib's mathtext off):
- `csv_cell`: spreadsheet formula injection (OWASP "CSV Injection"): a cell that starts with
  `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading single quote, so Excel,
  LibreOffice and Google Sheets show it as text instead of running it. Numbers are left alone
  (the csv module quotes separators and double quotes itself).
- `md_text`: one line of Markdown that renders as the literal text: line breaks and other
  control characters become spaces, `<`, `>` and `&` become HTML entities (no raw HTML reaches a
  page or a pull-request comment), and the punctuation that formats inline text is
  backslash-escaped: `\\`, `` ` ``, `*`, `_`, `[`, `]`, `~`, `$` (GitHub math) and the table
  separator `|`. Block syntax (`#`, `-`, `>` at a line start) cannot start inside a line, so
  names stay readable (`bge-large-zh-v1.5` is unchanged).
- `md_code`: the text as an inline code span (for paths and setting values), one line, with a
  backtick fence longer than any run of backticks inside; inside a table `|` is escaped too,
  because GitHub splits table rows on it even inside code spans.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]|~$])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def one_line(text: str) -> str:
    """`text` with every run of line breaks or other control characters replaced by a space."""
    return _CONTROL.sub(" ", text)


def csv_cell(value: object) -> object:
    """A CSV cell value: strings that a spreadsheet would run as a formula get a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def md_text(text: str) -> str:
    """`text` as literal one-line Markdown (module docstring)."""
    escaped = _MD_PUNCTUATION.sub(r"\\\1", one_line(str(text)))
    return "".join(_HTML.get(ch, ch) for ch in escaped)


def md_code(text: str, *, table: bool = True) -> str:
    """`text` as a one-line inline code span; `table=False` outside a table (where `\\|` would
    show its backslash)."""
    body = one_line(str(text))
    if table:
        body = body.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"
