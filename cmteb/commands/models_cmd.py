"""`cmteb models`: the registered models with the settings each runs with; `--all` adds every text
model the pinned mteb describes (`cmteb.models.mteb_models`), with how cmteb runs it or why not.

JSON (`--format json`): a list, one object per model: every field of its entry
(`cmteb.models.registry.ModelEntry`: name, kind, adapter, revision, pooling, normalize,
max_length, append_eos, query_prefix, passage_prefix, symmetric_prefix, query_instruction,
task_instructions, reference_dtype, published {source, path, cmteb_average}, source, notes) plus
`origin` ("registry" or "mteb"); mteb rows add `refused` (why cmteb cannot run it faithfully, or
null) and `facts` (the pinned mteb's metadata: parameters, dimensions, max tokens, ...); a refused
row has only name, origin, source, refused and facts. `--format markdown`: the table the docs
show (`models_markdown`; the README's shorter one: scripts/update_models_table.py). `--kind`
narrows to one kind; a NAME shows that model only (an unknown name is an error with "did you
mean").
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cmteb.columns import Columns, aligned
from cmteb.errors import UserError
from cmteb.models.hub import short_revision
from cmteb.models.registry import entries, find_entry, registry, suggestion
from cmteb.models.types import ModelKind
from cmteb.rounding import text2

COLUMNS = (("name", "MODEL"), ("kind", "KIND"), ("adapter", "ADAPTER"), ("revision", "REVISION"),
           ("pooling", "POOLING"), ("max_length", "MAX LEN"), ("text", "PREFIXES / INSTRUCTION"),
           ("published", "PUBLISHED AVG"))
ALL_COLUMNS = (*COLUMNS, ("origin", "FROM"), ("runs", "RUNS"))
MARKDOWN_COLUMNS = (*COLUMNS, ("source", "SOURCE"))


EXAMPLES = """\
examples:
  cmteb models                                # every registered model and its settings
  cmteb models BAAI/bge-large-zh-v1.5         # one model
  cmteb models --kind cross-encoder --format json
  cmteb models --all                          # also the pinned mteb's models, and whether cmteb runs each
  cmteb models --format markdown              # the full table of the docs (the README shows fewer columns)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="show this model only (a registry or mteb-described name)")
    p.add_argument("--kind", choices=[kind.value for kind in ModelKind],
                   help="only models of this kind (default: all)")
    p.add_argument("--all", action="store_true",
                   help="also list every text model the pinned mteb describes, and whether cmteb runs it")
    p.add_argument("--format", choices=["table", "json", "markdown"], default="table",
                   help="an aligned table, one JSON document with every field, or a Markdown table "
                        "(default: table)")


def registry_rows() -> list[dict[str, Any]]:
    """One row per registry entry: its fields, the published source spelled out, origin."""
    rows = []
    for entry in entries():
        row = entry.model_dump()
        if row["published"]:
            source = registry().published_sources[row["published"]["source"]]
            row["published"] = {**row["published"], "source": source}
        rows.append({**row, "origin": "registry"})
    return rows


def mteb_rows() -> list[dict[str, Any]]:
    """One row per text model of the pinned mteb that the registry does not hold."""
    from cmteb.models.mteb_models import mteb_models

    rows = []
    for model in mteb_models():
        if find_entry(model.name) is not None:
            continue
        base = model.entry.model_dump() if model.entry else {"name": model.name, "source": model.source}
        rows.append({**base, "origin": "mteb", "refused": model.refusal, "facts": model.facts})
    return rows


def _text_cell(row: dict[str, Any]) -> str:
    parts = []
    if row.get("query_prefix") or row.get("passage_prefix"):
        parts.append(f"{row['query_prefix']!r} / {row['passage_prefix']!r}")
    if row.get("query_instruction"):
        parts.append("instruction " + json.dumps(row["query_instruction"], ensure_ascii=False))
    if row.get("task_instructions"):
        parts.append(f"+{len(row['task_instructions'])} own task instructions")
    return "; ".join(parts) or "-"


def _cells(row: dict[str, Any]) -> dict[str, str]:
    published = row.get("published") or {}
    bi_encoder = row.get("kind") == ModelKind.BI_ENCODER
    return {
        "name": row["name"], "kind": row.get("kind") or "-", "adapter": row.get("adapter") or "-",
        "revision": short_revision(row.get("revision") or (row.get("facts") or {}).get("revision") or "-"),
        "pooling": row.get("pooling") or ("checkpoint's" if bi_encoder else "-"),
        "max_length": str(row.get("max_length") or ("checkpoint's" if bi_encoder else "-")),
        "text": _text_cell(row), "published": text2(published.get("cmteb_average"), "-"),
        "origin": row["origin"], "runs": f"no: {row['refused']}" if row.get("refused") else "yes",
        "source": row.get("source") or "-",
    }


def render_table(rows: list[dict[str, Any]], columns: Columns = COLUMNS) -> str:
    """Aligned plain-text columns (CJK-aware widths, `cmteb.columns`), no rule under the header."""
    return aligned(columns, [_cells(r) for r in rows], rule=False)


def render_markdown(rows: list[dict[str, Any]],
                    columns: Columns = MARKDOWN_COLUMNS) -> str:
    """A Markdown table, one row per model (`|` escaped)."""
    def cell(value: str) -> str:
        return value.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(h.lower() for _, h in columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        c = _cells(row)
        lines.append("| " + " | ".join(cell(c[k]) for k, _ in columns) + " |")
    return "\n".join(lines)


def models_markdown() -> str:
    """The generated model table of the docs: the registry's models."""
    return render_markdown(registry_rows())


def main(args: argparse.Namespace) -> int:
    from cmteb.models.mteb_models import mteb_model

    only_mteb = args.name is not None and find_entry(args.name) is None
    if only_mteb and mteb_model(args.name) is None:
        raise UserError(f"unknown model {args.name!r}{suggestion(args.name) or '; see `cmteb models --all`'}")
    rows = registry_rows()
    if getattr(args, "all", False) or only_mteb:
        rows += mteb_rows()
    rows = [r for r in rows if args.kind in (None, r.get("kind")) and args.name in (None, r["name"])]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif args.format == "markdown":
        print(render_markdown(rows))
    else:
        wide = any(r["origin"] == "mteb" for r in rows)
        print(render_table(rows, ALL_COLUMNS if wide else COLUMNS))
    return 0
