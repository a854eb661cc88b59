"""`RunConfig` validates itself: the Python API and the CLI refuse the same bad settings with the
same one-line UserError, before any work."""

from __future__ import annotations

from dataclasses import replace

import pytest

import cmteb
from cmteb.config import RunConfig, TaskSelection
from cmteb.distributed.options import RayOptions, Shard
from cmteb.errors import UserError
from tests.reliability.helpers import run_cmteb

# (keyword of cmteb.evaluate / RunConfig, value, CLI flags, message)
BAD = [
    ("batch_size", 0, ["--batch-size", "0"], "--batch-size must be positive, got 0"),
    ("batch_size", -3, ["--batch-size", "-3"], "--batch-size must be positive, got -3"),
    ("data_dir", "no/such/folder", ["--data-dir", "no/such/folder"],
     "--data-dir no/such/folder: no such folder"),
]


@pytest.mark.parametrize(("keyword", "value", "flags", "message"), BAD)
def test_api_and_cli_refuse_the_same_setting_with_the_same_line(tmp_path, capsys, keyword, value,
                                                                 flags, message):
    with pytest.raises(UserError) as caught:
        cmteb.evaluate("hash", tasks=["DemoSTS"], output_dir=tmp_path / "api", **{keyword: value})
    assert str(caught.value) == message
    code, out, err = run_cmteb(capsys, "--model", "hash", "--tasks", "DemoSTS", "--output-dir",
                               str(tmp_path / "cli"), *flags)
    assert (code, out, err) == (2, "", f"cmteb: error: {message}\n")
    assert not (tmp_path / "api").exists() and not (tmp_path / "cli").exists()


@pytest.mark.parametrize(("changes", "message"), [
    ({"token_budget": 0}, "--token-budget must be positive, got 0"),
    ({"search": "annoy"}, "unknown search 'annoy'; choose one of exact, faiss"),
    ({"protocol": "mtb"}, "unknown protocol 'mtb' (did you mean: mteb, cmteb?)"),
    ({"shard": Shard(1, 2), "ray": RayOptions()},
     "--shard and --ray do not go together: Ray already spreads every unit"),
    ({"batch_size": "many"}, "RunConfig: batch_size: Input should be a valid integer, unable to parse "
                             "string as an integer"),
    ({"colour": "red"}, "RunConfig: colour: Unexpected keyword argument"),
])
def test_a_config_that_exists_is_valid(changes, message):
    with pytest.raises(UserError) as caught:
        RunConfig(models=("hash",), **changes)
    assert str(caught.value) == message
    with pytest.raises(UserError):  # `replace` builds a new config, validated the same way
        replace(RunConfig(models=("hash",)), **changes)


def test_settings_are_normalised_on_construction(tmp_path):
    config = RunConfig(models=("hash",), output_dir=str(tmp_path), data_dir=str(tmp_path),
                       selection=TaskSelection(tasks=["DemoSTS"], task_files=[str(tmp_path / "T.yaml")]))
    assert config.output_dir == tmp_path and config.data_dir == tmp_path
    assert config.selection.tasks == ("DemoSTS",) and config.selection.task_files == (tmp_path / "T.yaml",)
    assert config.executor == "local" and replace(config, ray=RayOptions()).executor == "ray"


@pytest.mark.parametrize(("shard", "message"), [
    (lambda: Shard(0, 2), "--shard '0/2': I must be between 1 and N (N >= 1)"),
    (lambda: Shard.parse("3/2"), "--shard '3/2': I must be between 1 and N (N >= 1)"),
    (lambda: Shard.parse("1/0"), "--shard '1/0': I must be between 1 and N (N >= 1)"),
    (lambda: Shard.parse("x"), "--shard 'x': expected I/N, e.g. 1/4"),
])
def test_a_shard_that_exists_is_valid(shard, message):
    with pytest.raises(UserError) as caught:
        shard()
    assert str(caught.value) == message
