"""`.ci/compare-check` (run by `.ci/run` after the tests) skips cleanly without ../shared."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_compare_check_skips_without_shared(tmp_path):
    proc = subprocess.run(["bash", str(ROOT / ".ci" / "compare-check")], cwd=ROOT,
                          env={"SHARED": str(tmp_path / "absent"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ci: ../shared not found: skipping the compare check"
