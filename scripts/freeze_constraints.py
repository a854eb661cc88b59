"""Write constraints.txt: the exact versions installed for cmteb and all its extras, nothing else.

Run in the virtualenv whose set you mean to record (`make constraints` does):
    python scripts/freeze_constraints.py [--out constraints.txt]
It walks pyproject.toml's requirements (every extra included) through the installed packages'
metadata, so tools installed beside cmteb by hand stay out. The comment header of the existing
file is kept. A local version label (torch 2.13.0+cpu) is dropped: `torch==2.13.0` then matches
whichever build the installer finds (see the header of constraints.txt).
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def project_requirements(pyproject: Path) -> list[Requirement]:
    """The core requirements and those of every extra."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = [*project["dependencies"], *(r for rs in project["optional-dependencies"].values() for r in rs)]
    return [Requirement(line) for line in lines]


def installed_closure(roots: list[Requirement]) -> dict[str, str]:
    """{canonical name: installed version} of `roots` and everything they require, transitively
    (a requirement's own extras followed; environment markers evaluated here)."""
    versions: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(req, "") for req in roots]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        key = (canonicalize_name(req.name), frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = md.distribution(req.name)
        except md.PackageNotFoundError:
            sys.exit(f"freeze_constraints: {req.name} is not installed in this environment")
        versions[key[0]] = dist.version.split("+")[0]
        for line in dist.requires or []:
            sub = Requirement(line)
            for wanted in req.extras or {""}:
                todo.append((sub, wanted))
    return versions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "constraints.txt", help="file to write")
    args = parser.parse_args()
    header = []
    if args.out.is_file():
        header = [ln for ln in args.out.read_text(encoding="utf-8").splitlines() if ln.startswith("#")]
    versions = installed_closure(project_requirements(ROOT / "pyproject.toml"))
    body = [f"{name}=={version}" for name, version in sorted(versions.items())]
    args.out.write_text("\n".join([*header, *body]) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(body)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
