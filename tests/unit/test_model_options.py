"""ModelOptions validate themselves: the same one-line UserError from the CLI and cmteb.evaluate;
model kind and adapter are enums that are written and compared as their plain strings."""

from __future__ import annotations

import dataclasses
import json

import pytest

import cmteb
from cmteb.cli import main as cli_main
from cmteb.engine.cache import namespace_of
from cmteb.errors import UserError
from cmteb.models.policy import TextPolicy
from cmteb.models.types import Adapter, ModelKind, ModelOptions, ResolvedModel

BAD = [
    ({"max_length": 0}, ["--max-length", "0"], "--max-length must be positive, got 0"),
    ({"rerank_top_k": -5}, ["--rerank-top-k", "-5"], "--rerank-top-k must be positive, got -5"),
    ({"device": "gpu"}, ["--device", "gpu"], "--device 'gpu': expected cpu, cuda, cuda:N or cuda:0,1"),
    ({"device": "cuda:x"}, ["--device", "cuda:x"],
     "--device 'cuda:x': GPU ids must be numbers, e.g. cuda:0,1"),
]


@pytest.mark.parametrize(("option", "flags", "message"), BAD)
def test_a_bad_option_is_the_same_one_line_user_error_from_the_api_and_the_cli(
        option, flags, message, tmp_path, capsys):
    with pytest.raises(UserError) as err:
        cmteb.evaluate("hash", tasks=["DemoSTS"], output_dir=tmp_path, **option)
    assert str(err.value) == message
    assert cli_main(["run", "--model", "hash", "--tasks", "DemoSTS", "--output-dir", str(tmp_path),
                     *flags]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"cmteb: error: {message}"]
    assert not list(tmp_path.rglob("*.json"))  # refused before any work


@pytest.mark.parametrize(("option", "message"), [
    ({"pooling": "max"}, "--pooling 'max': Input should be 'cls', 'mean' or 'last'"),
    ({"dtype": "fp8"}, "--dtype 'fp8': expected one of fp32, fp16, bf16, auto"),
    ({"max_length": "long"}, "--max-length 'long': Input should be a valid integer"),
    ({"normalize": "maybe"}, "--normalize 'maybe': Input should be a valid boolean"),
    ({"colour": "red"}, "unknown model option 'colour'"),
])
def test_values_the_cli_cannot_pass_are_refused_in_the_api(option, message):
    with pytest.raises(UserError) as err:
        ModelOptions(**option)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_evaluate_refuses_an_unknown_option_through_model_options(tmp_path):
    with pytest.raises(UserError) as err:
        cmteb.evaluate("hash", tasks=["DemoSTS"], output_dir=tmp_path, colour="red")
    assert str(err.value) == "unknown model option 'colour'"
    assert not tmp_path.exists() or not list(tmp_path.rglob("*.json"))


def test_replace_validates_too_and_good_values_pass():
    opts = ModelOptions(pooling="cls", max_length=64, device="cuda:0,1", rerank_top_k=10)
    assert dataclasses.replace(opts, device="cpu").device == "cpu"
    with pytest.raises(UserError, match="--max-length must be positive, got -1"):
        dataclasses.replace(opts, max_length=-1)


def test_kind_and_adapter_are_enums_written_as_their_strings():
    model = ResolvedModel("m", "r", TextPolicy(), "python-class", {}, object, kind="cross-encoder")
    assert model.adapter is Adapter.PYTHON_CLASS and model.kind is ModelKind.CROSS_ENCODER
    assert model.adapter == "python-class" and f"{model.kind}" == "cross-encoder"
    assert json.dumps({"adapter": model.adapter}) == '{"adapter": "python-class"}'
    # the cache namespace of an identity is the same whether its adapter is the enum or the string
    assert namespace_of({"adapter": Adapter.TRANSFORMERS}) == namespace_of({"adapter": "transformers"})
    with pytest.raises(ValueError, match="'hf' is not a valid Adapter"):
        ResolvedModel("m", "r", TextPolicy(), "hf", {}, object)
