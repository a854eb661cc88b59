"""Names in Markdown that other people read rendered (`compare --report`, posted as a pull-request
comment by the CI recipe): every name is data and renders as the literal text it is.

`inline(value)` turns any value into one line of GitHub-flavoured Markdown that renders as its
text, also inside a table cell:
- line breaks and other control characters become spaces (a table row stays one row);
- `&`, `<` and `>` become HTML entities (no raw HTML, no `<http://...>` autolink);
- the characters that start Markdown's inline syntax are backslash-escaped: `\\` `` ` `` `*` `_`
  `[` `]` `|` `~` `$` (no link or image, emphasis, code span, strikethrough, math or cell break;
  `(`, `)` and `!` mean something only next to an unescaped `[` or `]`);
- `@`, `#`, `://` and `www.` get a zero-width space (`&#8203;`) inside (`@&#8203;user`,
  `https:&#8203;//`, `www&#8203;.`), so `@user`, `#123` and
  bare URLs neither notify anyone, link an issue, nor become links (GitHub finds mentions and
  autolinks in the rendered text, where the invisible character breaks them).
`code(value, in_table=...)`: the text as a code span (monospace, rendered literally, where GitHub
finds no mention or link): control characters as spaces, a backtick fence longer than any run of
backticks in the text, and in a table cell `|` as `\\|` (GFM removes that backslash before the
span is read, and only in tables).
"""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH_SPACE = "&#8203;"
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BACKSLASHED = set("\\`*_[]|~$")
_AUTOLINKED = re.compile(r"(@|#|:(?=//)|(?<=www)\.)", re.IGNORECASE)


def _printable(text: str) -> str:
    """Control, format and separator characters (line breaks, bidi overrides) as spaces."""
    return "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in text)


def inline(value: object) -> str:
    """`str(value)` as Markdown that renders as exactly that text on one line (module docstring)."""
    text = _printable(str(value))
    escaped = "".join(_ENTITIES.get(c) or (f"\\{c}" if c in _BACKSLASHED else c) for c in text)
    return _AUTOLINKED.sub(
        lambda m: _ZERO_WIDTH_SPACE + m.group(0) if m.group(0) == "." else m.group(0) + _ZERO_WIDTH_SPACE,
        escaped)


def code(value: object, *, in_table: bool) -> str:
    """`str(value)` as a code span that renders as exactly that text (module docstring)."""
    text = _printable(str(value))
    if not text:
        return "<code></code>"
    if in_table:
        text = text.replace("|", "\\|")
    fence = "`" * (1 + max((len(run) for run in re.findall("`+", text)), default=0))
    # CommonMark strips one blank from each end when both ends are blank: pad so it strips ours
    pad = " " if text[0] == "`" or text[-1] == "`" or (text[0] == text[-1] == " " and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"
