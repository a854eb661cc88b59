"""A second hostile sweep over every command: each test reproduces one defect it found."""

from __future__ import annotations

import pytest

from tests.hostile.helpers import cli, one_error_line


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "1e30"])
def test_a_non_finite_or_absurd_api_timeout_is_a_bad_flag(tmp_path, capsys, value):
    code, _, err = cli(capsys, "run", "--model", "api:m", "--api-base", "http://127.0.0.1:9/v1",
                       "--api-timeout", value, "--tasks", "DemoSTS", "--output-dir", tmp_path / "out")
    assert code == 2 and "--api-timeout" in one_error_line(err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("url", ["http://[::1/v1", "http://127.0.0.1:99999/v1", "http://127.0.0.1:x/v1"])
def test_an_unparsable_api_base_is_a_bad_flag(tmp_path, capsys, url):
    code, _, err = cli(capsys, "run", "--model", "api:m", "--api-base", url, "--tasks", "DemoSTS",
                       "--output-dir", tmp_path / "out")
    line = one_error_line(err)
    assert code == 2 and f"--api-base {url!r}" in line and "internal error" not in line
    assert not (tmp_path / "out").exists()
