"""Fixture for the reliability tests: the scores of a clean reference run."""

from __future__ import annotations

import pytest

from cmteb.cli import main as cmteb_main
from tests.reliability.helpers import DEMO, TASKS, result_files, scores_by_task


@pytest.fixture(scope="session")
def clean_scores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Scores of an uninterrupted `cmteb run --model hash` on TASKS."""
    out = tmp_path_factory.mktemp("clean")
    assert cmteb_main(["run", "--model", "hash", *DEMO, "--output-dir", str(out)]) == 0
    assert sorted(result_files(out)) == sorted(TASKS)
    return scores_by_task(out)
