"""ARCHITECTURE.md keeps up with the code: every module of `cmteb/` has its line there (and a
module docstring saying its job), and every module path it names exists (a cheap guard against
drift after a rename)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cmteb"
ARCHITECTURE = ROOT / "ARCHITECTURE.md"
# A path token such as `models/policy.py`, `cli.py`, `tests/test_import_graph.py` (not part of a URL
# or a longer path); `<type>`-style placeholders are not paths.
PY_PATH = re.compile(r"(?<![\w/.<>-])((?:[A-Za-z_][\w-]*/)*[A-Za-z_]\w*\.py)\b")
OUTSIDE_PACKAGE = ("tests/", "scripts/", "cmteb/")


def modules() -> list[str]:
    """Every module of the package, relative to `cmteb/`; a package `__init__.py` counts when it
    holds code beyond its docstring (an empty one is its folder's line)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if path.name == "__init__.py" and not _has_code(path):
            continue
        found.append(rel)
    return found


def _has_code(path: Path) -> bool:
    """Whether a module holds a statement beyond its docstring and `from __future__` imports."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return any(not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
               and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
               for node in body)


def named_paths(text: str) -> set[str]:
    return set(PY_PATH.findall(text))


def test_every_module_has_a_line_in_architecture_md():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    rows = {m.group(1) for m in re.finditer(r"^\| `([^`]+\.py)` \|", text, re.MULTILINE)}
    missing = [m for m in modules() if m not in rows]
    assert not missing, f"ARCHITECTURE.md has no row for {', '.join(missing)} (add `| `path` | job |`)"


def test_every_module_architecture_md_names_exists():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    stale = []
    for token in sorted(named_paths(text)):
        base = ROOT if token.startswith(OUTSIDE_PACKAGE) else PACKAGE
        if not (base / token).is_file():
            stale.append(token)
    assert not stale, f"ARCHITECTURE.md names modules that do not exist: {', '.join(stale)}"


def test_every_module_says_its_job_in_a_docstring():
    silent = [path.relative_to(PACKAGE).as_posix() for path in sorted(PACKAGE.rglob("*.py"))
              if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))]
    assert not silent, f"modules without a module docstring: {', '.join(silent)}"


def test_the_guards_find_a_missing_and_a_stale_module():
    assert "models/policy.py" in named_paths("the text policy: `models/policy.py`")
    assert "tests/test_import_graph.py" in named_paths("see `tests/test_import_graph.py`.")
    assert named_paths("`evaluators/<type>.py` and https://x.org/a.py") == set()
    assert "pipeline/run.py" in modules() and "evaluators/__init__.py" in modules()
    assert "results/__init__.py" not in modules()  # empty package: its folder's lines cover it


def test_the_where_things_live_list_names_one_file_per_question():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Where things live", 1)[1].split("\n## ", 1)[0]
    for question in ("a task", "a metric", "the text policy", "the embedding cache key", "a run setting"):
        row = next((line for line in section.splitlines() if line.startswith(f"| {question}")), None)
        assert row is not None, f"'Where things live' has no row for {question!r}"
        assert named_paths(row) or "tasks/<type>/<Task>.yaml" in row, f"row {question!r} names no file"
