"""Names are data: make any text safe to put in a CSV cell, a Markdown document or a plot label.

Every output that shows a model, task, file or folder name goes through one of these (HTML uses
the standard library's `html.escape`; plots switch matplotlib's mathtext off). The Markdown is
read rendered by other people: the leaderboard's `leaderboard.md`, and the `compare --report`
that the CI recipe posts as a pull-request comment.

- `csv_cell(value)`: spreadsheet formula injection (OWASP "CSV Injection"): a cell that starts
  with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading single quote, so Excel,
  LibreOffice and Google Sheets show it as text instead of running it. Numbers are left alone
  (the csv module quotes separators and double quotes itself).
- `one_line(value)`: the text with each control, format and separator character (line breaks,
  tabs, bidi overrides, zero-width characters) as a space, so it stays on one line.
- `md_text(value)`: one line of GitHub-flavoured Markdown that renders as exactly its text, also
  inside a table cell:
  - `one_line` first (a table row stays one row);
  - `&`, `<` and `>` become HTML entities (no raw HTML, no `<http://...>` autolink);
  - the characters that start Markdown's inline syntax are backslash-escaped: `\\` `` ` `` `*`
    `_` `[` `]` `|` `~` `$` (no link or image, emphasis, code span, strikethrough, math or cell
    break; `(`, `)` and `!` mean something only next to an unescaped `[` or `]`; block syntax
    such as `#`, `-` or `>` cannot start inside a line, so `bge-large-zh-v1.5` is unchanged);
  - `@`, `#`, `://` and `www.` get a zero-width space (`&#8203;`) inside (`@&#8203;user`,
    `https:&#8203;//`, `www&#8203;.`), so `@user`, `#123` and bare URLs neither notify anyone,
    link an issue, nor become links (GitHub finds mentions and autolinks in the rendered text,
    where the invisible character breaks them).
- `md_code(value, in_table=...)`: the text as a code span (monospace, rendered literally, where
  GitHub finds no mention or link): `one_line` first, a backtick fence longer than any run of
  backticks in the text, and in a table cell `|` as `\\|` (GFM removes that backslash before the
  span is read, and only in tables; outside a table it would show). An empty text is an empty
  `<code></code>` (an empty pair of backticks is not a code span).
"""

from __future__ import annotations

import re
import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ZERO_WIDTH_SPACE = "&#8203;"
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BACKSLASHED = set("\\`*_[]|~$")
_AUTOLINKED = re.compile(r"(@|#|:(?=//)|(?<=www)\.)", re.IGNORECASE)


def csv_cell(value: object) -> object:
    """A CSV cell value: strings that a spreadsheet would run as a formula get a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def one_line(value: object) -> str:
    """`str(value)` with control, format and separator characters (but the space) as spaces."""
    return "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in str(value))


def md_text(value: object) -> str:
    """`str(value)` as Markdown that renders as exactly that text on one line (module docstring)."""
    escaped = "".join(_ENTITIES.get(c) or (f"\\{c}" if c in _BACKSLASHED else c) for c in one_line(value))
    return _AUTOLINKED.sub(
        lambda m: _ZERO_WIDTH_SPACE + m.group(0) if m.group(0) == "." else m.group(0) + _ZERO_WIDTH_SPACE,
        escaped)


def md_code(value: object, *, in_table: bool) -> str:
    """`str(value)` as a code span that renders as exactly that text (module docstring)."""
    text = one_line(value)
    if not text:
        return "<code></code>"
    if in_table:
        text = text.replace("|", "\\|")
    fence = "`" * (1 + max((len(run) for run in re.findall("`+", text)), default=0))
    # CommonMark strips one blank from each end when both ends are blank: pad so it strips ours
    pad = " " if text[0] == "`" or text[-1] == "`" or (text[0] == text[-1] == " " and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"
