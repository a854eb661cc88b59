"""The package's imports form no cycle: data flows one way (ARCHITECTURE.md).

Every `import` and `from ... import` statement in `cmteb/` counts, wherever it sits: module level,
inside functions (lazy imports) and under `if TYPE_CHECKING:` (a type-only import is still a
dependency a reader has to follow). An edge goes to the module named, or to the submodule when a
`from` import names one (`from cmteb.evaluators import search`). Modules imported by name count
too: a dotted module name given to `import_module` or listed in a literal table (`cli.COMMANDS`,
the evaluators by type). Parent packages that Python runs on the way (`cmteb/__init__.py` for any
`cmteb.x`) are not edges: a package `__init__` may re-export its submodules (`cmteb.evaluate`), as
long as those submodules do not import the package back.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cmteb"


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str], package: Path = PACKAGE) -> set[str]:
    """The modules of `modules` that `path` imports anywhere in its body (relative imports resolved)."""
    name = module_name(path, package)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in modules else base)
        else:
            found.update(_named_modules(node))
    return {m for m in found if m in modules and m != name}


def _named_modules(node: ast.AST) -> set[str]:
    """Dotted names given to `import_module(...)` or held in a literal list/tuple/set/dict (the
    caller keeps those that are modules of the package; a bare "cmteb" is a protocol name)."""
    if isinstance(node, ast.Call):
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        values = node.args if called == "import_module" else []
    elif isinstance(node, ast.List | ast.Tuple | ast.Set):
        values = node.elts
    elif isinstance(node, ast.Dict):
        values = [*node.keys, *node.values]
    else:
        return set()
    return {v.value for v in values
            if isinstance(v, ast.Constant) and isinstance(v.value, str) and "." in v.value}


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imported_modules(path, set(paths)) for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_lazy_relative_and_by_name_imports(tmp_path):
    source = tmp_path / "cmteb" / "pkg" / "mod.py"
    source.parent.mkdir(parents=True)
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import cmteb.pkg.third\n"
                      "def f():\n    from . import other\n    from .other import thing\n"
                      "TABLE = {'a': 'cmteb.pkg.fourth'}\nimportlib.import_module('cmteb.pkg.fifth')\n"
                      "log = getLogger('cmteb.pkg.sixth')\n", encoding="utf-8")
    modules = {"cmteb.pkg", *(f"cmteb.pkg.{m}" for m in ["other", "third", "fourth", "fifth", "sixth"])}
    found = imported_modules(source, modules, tmp_path / "cmteb")
    assert found == {"cmteb.pkg.other", "cmteb.pkg.third", "cmteb.pkg.fourth", "cmteb.pkg.fifth"}


def test_cycle_finder_reports_a_cycle_and_nothing_else():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_cmteb_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 50  # the walk found the package
    found = cycles(graph)
    assert not found, "import cycles in cmteb/: " + "; ".join(" <-> ".join(c) for c in found)
