"""Every distribution the code imports is declared in pyproject.toml.

Each `import` statement counts, wherever it sits (module level, inside functions, under
`if TYPE_CHECKING:`). A top-level module name maps to the installed distributions that provide
it (`importlib.metadata.packages_distributions()`: `yaml` -> PyYAML, `sklearn` -> scikit-learn);
one of them must be declared:
- `cmteb/` and `scripts/`: in `[project.dependencies]`, or in an extra that the importing module
  documents as optional by naming `cmteb[EXTRA]` in its docstring (`cmteb/models/bm25.py`:
  "pip install 'cmteb[bm25]'");
- `tests/`: in `[project.dependencies]` or the `test` extra (`make test` installs every extra; a
  test of an optional feature imports it through the cmteb module that documents it).
Something that comes installed with another dependency (threadpoolctl with scikit-learn) is
still declared when cmteb imports it itself: its range is then ours to state. Standard-library
modules, cmteb itself and the repository's own helper modules (`tests/tiny_models.py`,
`scripts/benchlib/`) are not distributions.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
EXTRA_NAMED = re.compile(r"cmteb\[([a-z0-9_.-]+)\]")  # extras are lower case


def declared() -> tuple[set[str], dict[str, set[str]]]:
    """(core requirement names, {extra: its requirement names}), canonicalized."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(lines: list[str]) -> set[str]:
        return {canonicalize_name(Requirement(line).name) for line in lines}

    return names(project["dependencies"]), {
        extra: names(lines) for extra, lines in project.get("optional-dependencies", {}).items()}


def local_modules() -> set[str]:
    """Top-level names the repository's own files provide beside cmteb (scripts and tests put
    their folders on the path)."""
    found = {"cmteb", "tests", "scripts"}
    for folder in ("tests", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            found.add(path.stem)
            found.update(p.name for p in path.relative_to(ROOT).parents if p.name)
    return found


def imported(tree: ast.AST) -> set[str]:
    """Top-level module names of every absolute import in `tree`."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"__future__"}


def undeclared(folders: tuple[str, ...], allowed_extras: tuple[str, ...]) -> list[str]:
    """One line per import of `folders` that no declared distribution provides."""
    core, extras = declared()
    providers = packages_distributions()
    local = local_modules()
    problems = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            named = EXTRA_NAMED.findall(ast.get_docstring(tree) or "")
            unknown = sorted(set(named) - set(extras))
            assert not unknown, f"{path}: its docstring names unknown extra(s) {unknown}"
            wanted = core.union(*(extras[e] for e in (*allowed_extras, *named)))
            for module in sorted(imported(tree) - local):
                dists = {canonicalize_name(d) for d in providers.get(module, [])}
                where = path.relative_to(ROOT)
                if not dists:
                    problems.append(f"{where}: imports {module}, which no installed distribution "
                                    "provides (install every extra, as `make test` does)")
                elif not dists & wanted:
                    problems.append(f"{where}: imports {module} ({', '.join(sorted(dists))}), declared "
                                    f"neither in [project.dependencies] nor in an extra it may use "
                                    f"({', '.join((*allowed_extras, *named)) or 'none named'})")
    return problems


def test_every_distribution_cmteb_and_the_scripts_import_is_declared():
    problems = undeclared(("cmteb", "scripts"), ())
    assert not problems, "\n".join(problems)


def test_every_distribution_the_tests_import_is_declared():
    problems = undeclared(("tests",), ("test",))
    assert not problems, "\n".join(problems)


def test_the_check_sees_lazy_imports_and_documented_extras():
    tree = ast.parse('"""Optional (pip install \'cmteb[faiss]\')."""\n'
                     "import numpy as np\n"
                     "def f():\n    from yaml import safe_load\n    import faiss.contrib\n"
                     "from . import sibling\nimport os.path\n")
    assert imported(tree) == {"numpy", "yaml", "faiss"}
    assert EXTRA_NAMED.findall(ast.get_docstring(tree)) == ["faiss"]
    core, extras = declared()
    assert {"numpy", "pyyaml"} <= core and "faiss-cpu" in extras["faiss"]
