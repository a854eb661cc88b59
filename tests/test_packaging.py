"""The package builds: hatchling reads the version from the file pyproject.toml names."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import cmteb

ROOT = Path(__file__).resolve().parents[1]
# hatchling's default version pattern (hatchling/version/source/regex.py)
VERSION_RE = re.compile(r"""^(__version__|VERSION) *= *(['"])v?(?P<version>.+?)\2""", re.MULTILINE)


def test_the_version_file_pyproject_names_holds_the_package_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" in project["project"]["dynamic"]
    path = ROOT / project["tool"]["hatch"]["version"]["path"]
    match = VERSION_RE.search(path.read_text("utf-8"))
    assert match, f"{path} has no __version__ = '...' line hatchling can read"
    assert match["version"] == cmteb.__version__
