"""Fixtures of the data tests: the hub-layout mirror of tests/fixtures/hub, read by the real
`datasets` library (its cache kept in a temporary folder)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import datasets
import pytest

from tests.fixtures.hub.repos import build_local, build_mirror


@pytest.fixture(scope="session")
def hub_mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fixture repos as a CMTEB_HUB_MIRROR folder; the datasets cache is a temporary folder."""
    root = build_mirror(tmp_path_factory.mktemp("hub-mirror"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path_factory.mktemp("hf-datasets"))
        yield root


@pytest.fixture(scope="session")
def hub_local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same rows in the local task-data layout, one folder per task."""
    return build_local(tmp_path_factory.mktemp("hub-local"))
