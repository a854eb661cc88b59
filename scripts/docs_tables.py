"""mkdocs hook (mkdocs.yml `hooks:`, `pip install 'cmteb[docs]'`): tables that come from code are
generated, never copied.

A docs page holds a marker line `<!-- table:NAME -->`; when the site is built, `on_page_markdown`
replaces it with the Markdown table `TABLES[NAME]()` returns. An unknown NAME fails the build,
naming the page. To add a generated table, write a function returning Markdown and register it in
`TABLES`. `models_table` is the registry's columns as `cmteb models` shows them; the module that
renders the model registry may register a richer one under the same name.

    python scripts/docs_tables.py tasks      # print one table, to look at it without a build
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the checkout's cmteb, also when mkdocs runs from elsewhere
    sys.path.insert(0, str(ROOT))

from cmteb.tasks.listing import benchmark_rows, task_rows  # noqa: E402
from cmteb.tasks.registry import TaskRegistry  # noqa: E402

MARKER = re.compile(r"^<!-- table:([A-Za-z0-9_-]+) -->[ \t]*$", re.MULTILINE)
HUB = "https://huggingface.co/datasets/"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table; `|` inside cells is escaped."""
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *map(line, rows)])


def _both(cmteb: Any, mteb: Any) -> str:
    """One value when the protocols agree, else both, labelled."""
    return f"{cmteb}" if cmteb == mteb else f"cmteb: {cmteb}<br>mteb: {mteb}"


def tasks_table() -> str:
    """Every registered task: type, benchmarks, splits and main score per protocol, dataset.
    Order: the tasks of C-MTEB-35 in its order, then the rest (demo) by name."""
    registry = TaskRegistry()
    benches = [registry.benchmark(n) for n in registry.benchmark_names()]
    order = list(registry.benchmark("C-MTEB-35").tasks)
    order += sorted(n for n in registry.names() if n not in order)
    specs = [registry.get(n) for n in order]
    by_protocol = {p: {r["name"]: r for r in task_rows(specs, p)} for p in ("cmteb", "mteb")}
    rows = []
    for spec in specs:
        cmteb, mteb = by_protocol["cmteb"][spec.name], by_protocol["mteb"][spec.name]
        path, revision = cmteb["dataset"]["path"], cmteb["dataset"]["revision"]
        dataset = f"[{path}]({HUB}{path})" if path else "bundled with cmteb"
        rows.append([
            spec.name, spec.type,
            ", ".join(b.name for b in benches if spec.name in b.tasks),
            _both(", ".join(cmteb["splits"]), ", ".join(mteb["splits"])),
            _both(f"`{cmteb['main_score']}`", f"`{mteb['main_score']}`"),
            dataset, f"`{revision[:12]}`" if revision else "-",
        ])
    return markdown_table(["Task", "Type", "Benchmarks", "Splits", "Main score", "Dataset", "Revision"],
                          rows)


def benchmarks_table() -> str:
    """Every benchmark: task count, protocol, aliases, description."""
    registry = TaskRegistry()
    rows = [[f"`{r['name']}`", str(len(r["tasks"])), r["protocol"],
             ", ".join(f"`{a}`" for a in r["aliases"]) or "-", r["description"]]
            for r in benchmark_rows(registry.benchmark(n) for n in registry.benchmark_names())]
    return markdown_table(["Benchmark", "Tasks", "Protocol", "Aliases", "Description"], rows)


def models_table() -> str:
    """Every registered model, as `cmteb models --format markdown` and the README show it."""
    from cmteb.commands.models_cmd import models_markdown

    return models_markdown()


def _summary(path: Path) -> str:
    """The first paragraph of a script's docstring (Python) or of its leading comment (shell),
    on one line."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        lines = (ast.get_docstring(ast.parse(text)) or "-").splitlines()
    else:
        lines = [line[1:].strip() for line in text.splitlines()[1:] if line.startswith("#")]
    paragraph = []
    for line in lines:
        if not line.strip():
            break
        paragraph.append(line.strip())
    return " ".join(paragraph) or "-"


def scripts_table() -> str:
    """Every script in `scripts/`, with the first line of what it says it does."""
    scripts = sorted([*ROOT.glob("scripts/*.py"), *ROOT.glob("scripts/*.sh")])
    return markdown_table(["Script", "What it does"],
                          [[f"`{p.name}`", _summary(p)] for p in scripts])


TABLES: dict[str, Callable[[], str]] = {
    "tasks": tasks_table,
    "benchmarks": benchmarks_table,
    "models": models_table,
    "scripts": scripts_table,
}


class UnknownTable(Exception):
    """A page names a table that TABLES does not have."""


def fill_tables(markdown: str, where: str) -> str:
    """`markdown` with every table marker replaced by its generated table."""
    def table(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in TABLES:
            raise UnknownTable(f"{where}: unknown generated table {name!r} "
                               f"(known: {', '.join(sorted(TABLES))})")
        return TABLES[name]()

    return MARKER.sub(table, markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """mkdocs event: fill the page's table markers."""
    from mkdocs.exceptions import PluginError

    try:
        return fill_tables(markdown, page.file.src_uri)
    except UnknownTable as exc:
        raise PluginError(str(exc)) from exc


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in TABLES:
        print(f"usage: python scripts/docs_tables.py {{{','.join(TABLES)}}}", file=sys.stderr)
        return 2
    print(TABLES[argv[0]]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
