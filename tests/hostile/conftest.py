"""Shared fixture of the hostile-input tests: one real demo run, which tests copy before editing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compare.helpers import demo_results


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The revision folder of a hash-model run on the demo benchmark (never edited in place)."""
    return demo_results(tmp_path_factory.mktemp("hostile-demo"))
