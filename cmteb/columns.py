"""Plain-text tables for the terminal (`cmteb list`, `cmteb models`): left-aligned columns whose
widths are screen columns, where East Asian wide and fullwidth characters take two (CJK names and
instructions keep the columns after them in line)."""

from __future__ import annotations

import unicodedata

Columns = tuple[tuple[str, str], ...]  # (cell key, header title) per column


def display_width(text: str) -> int:
    """Terminal columns of `text`: East Asian wide and fullwidth characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def aligned(columns: Columns, cells: list[dict[str, str]], *, rule: bool = True) -> str:
    """`cells` (one dict per row, keyed like `columns`) left-aligned under a header line, with a
    rule of dashes under it when `rule`; trailing blanks are cut."""
    widths = {k: max([display_width(title)] + [display_width(c[k]) for c in cells]) for k, title in columns}
    lines = ["  ".join(_pad(title, widths[k]) for k, title in columns).rstrip()]
    if rule:
        lines.append("  ".join("-" * widths[k] for k, _ in columns))
    lines += ["  ".join(_pad(c[k], widths[k]) for k, _ in columns).rstrip() for c in cells]
    return "\n".join(lines)
