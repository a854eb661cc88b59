"""`cmteb models`: the registered models with the settings each runs with.

JSON (`--format json`): a list, one object per model: every field of the registry entry
(`cmteb.models.registry.ModelEntry`: name, kind, adapter, revision, pooling, normalize,
max_length, append_eos, query_prefix, passage_prefix, symmetric_prefix, query_instruction,
reference_dtype, published {source, path, cmteb_average}, notes). `--kind` narrows to one kind;
a NAME shows that model only (an unknown name is an error with "did you mean").
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cmteb.errors import UserError
from cmteb.models.registry import entries, find_entry, registry, suggestion

COLUMNS = (("name", "MODEL"), ("kind", "KIND"), ("adapter", "ADAPTER"), ("revision", "REVISION"),
           ("pooling", "POOLING"), ("max_length", "MAX LEN"), ("text", "PREFIXES / INSTRUCTION"),
           ("published", "PUBLISHED AVG"))


EXAMPLES = """\
examples:
  cmteb models                                # every registered model and its settings
  cmteb models BAAI/bge-large-zh-v1.5         # one model
  cmteb models --kind cross-encoder --format json
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="show this model only")
    p.add_argument("--kind", choices=["bi-encoder", "cross-encoder", "lexical"],
                   help="only models of this kind (default: all)")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="an aligned table, or one JSON document with every registry field")


def _text_cell(row: dict[str, Any]) -> str:
    parts = []
    if row["query_prefix"] or row["passage_prefix"]:
        parts.append(f"{row['query_prefix']!r} / {row['passage_prefix']!r}")
    if row["query_instruction"]:
        parts.append("instruction " + json.dumps(row["query_instruction"], ensure_ascii=False))
    return "; ".join(parts) or "-"


def _cells(row: dict[str, Any]) -> dict[str, str]:
    published = row["published"] or {}
    return {
        "name": row["name"], "kind": row["kind"], "adapter": row["adapter"],
        "revision": row["revision"][:12], "pooling": row["pooling"] or "-",
        "max_length": str(row["max_length"] or "-"), "text": _text_cell(row),
        "published": str(published.get("cmteb_average") or "-"),
    }


def render_table(rows: list[dict[str, Any]]) -> str:
    cells = [_cells(r) for r in rows]
    widths = {k: max([len(h)] + [len(c[k]) for c in cells]) for k, h in COLUMNS}
    lines = ["  ".join(h.ljust(widths[k]) for k, h in COLUMNS).rstrip()]
    lines += ["  ".join(c[k].ljust(widths[k]) for k, _ in COLUMNS).rstrip() for c in cells]
    return "\n".join(lines)


def _row(row: dict[str, Any]) -> dict[str, Any]:
    """The entry with its published source spelled out (repository@commit)."""
    if row["published"]:
        source = registry().published_sources[row["published"]["source"]]
        row["published"] = {**row["published"], "source": source}
    return row


def main(args: argparse.Namespace) -> int:
    if args.name is not None and find_entry(args.name) is None:
        raise UserError(f"unknown model {args.name!r}{suggestion(args.name) or '; see `cmteb models`'}")
    rows = [_row(e.model_dump()) for e in entries()
            if args.kind in (None, e.kind) and args.name in (None, e.name)]
    print(json.dumps(rows, ensure_ascii=False, indent=2) if args.format == "json"
          else render_table(rows))
    return 0
