"""Real-hub access policy without network: fast failure, one-line errors naming task and path."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import datasets
import pytest

from cmteb.data import hub
from cmteb.data.hub import DatasetsHub, MissingSplitError
from tests.data.helpers import raises_user_error


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_unreachable_hub_fails_fast_suggesting_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(hub, "hub_reachable", lambda: False)
    message = raises_user_error(DatasetsHub, "ATEC", "C-MTEB/ATEC", "0f319b11")
    assert "ATEC" in message and "C-MTEB/ATEC" in message and "--data-dir" in message


def test_probe_of_a_closed_port_is_false(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    hub.hub_reachable.cache_clear()
    try:
        assert hub.hub_reachable(timeout=1.0) is False
    finally:
        hub.hub_reachable.cache_clear()


def _raising(exc: Exception):
    def load_dataset(*args: object, **kwargs: object) -> None:
        raise exc
    return load_dataset


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize(("exc", "fragment"), [
    (type("RevisionNotFoundError", (Exception,), {})("x"), "revision 'rev1' not found"),
    (type("DatasetNotFoundError", (Exception,), {})("x"), "dataset not found"),
    (ConnectionError("Couldn't reach 'C-MTEB/ATEC' on the Hub (OfflineModeIsEnabled)"),
     "--data-dir"),
    (ValueError("BuilderConfig 'zh' not found.\nAvailable: ['default']"),
     "ValueError: BuilderConfig 'zh' not found."),
    (RuntimeError("boom\nsecond line"), "RuntimeError: boom"),
])
def test_load_errors_become_one_line(monkeypatch: pytest.MonkeyPatch, exc: Exception,
                                     fragment: str) -> None:
    monkeypatch.setattr(datasets, "load_dataset", _raising(exc))
    source = DatasetsHub("ATEC", "C-MTEB/ATEC", "rev1")
    message = raises_user_error(source.load, None, "test")
    assert message.startswith("ATEC: cannot load C-MTEB/ATEC@rev1 (default/test)")
    assert fragment in message


@pytest.mark.usefixtures("offline")
def test_unknown_split_is_missing_split(monkeypatch: pytest.MonkeyPatch) -> None:
    exc = ValueError("Unknown split \"validation\". Should be one of ['test'].")
    monkeypatch.setattr(datasets, "load_dataset", _raising(exc))
    with pytest.raises(MissingSplitError, match="has no split 'validation'"):
        DatasetsHub("AFQMC", "C-MTEB/AFQMC", "rev").load(None, "validation")


@pytest.mark.usefixtures("offline")
def test_configs_errors_become_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datasets, "get_dataset_config_names", _raising(OSError("no\nnet")))
    message = raises_user_error(DatasetsHub("T2Retrieval", "mteb/T2Retrieval", "r").configs)
    assert "T2Retrieval" in message and "(configs)" in message


def test_real_datasets_offline_fails_fast(tmp_path: Path) -> None:
    """The real `datasets` library with HF_HUB_OFFLINE=1 and an empty cache: no network, no hang."""
    code = (
        "from cmteb.data.hub import DatasetsHub\n"
        "from cmteb.errors import UserError\n"
        "try:\n"
        "    DatasetsHub('Ocnli', 'C-MTEB/OCNLI', '66e76a61').load(None, 'validation')\n"
        "except UserError as exc:\n"
        "    print(exc)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path)}
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=60, cwd=Path(__file__).parents[2])
    assert time.monotonic() - start < 30
    assert "Ocnli: cannot load C-MTEB/OCNLI@66e76a61" in out.stdout
    assert "--data-dir" in out.stdout
