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
