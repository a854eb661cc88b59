"""--device parsing, --dtype auto, CPU bf16 detection and thread budget; the progress bar."""

from __future__ import annotations

import io
import os

import pytest

from cmteb.engine import devices
from cmteb.engine.progress import TaskProgress
from cmteb.errors import UserError


def test_cpu_and_canonical_spec():
    assert devices.parse_devices("cpu") == ["cpu"]
    assert devices.device_spec(["cuda:0", "cuda:2"]) == "cuda:0,2"


@pytest.mark.parametrize(("spec", "message"), [
    ("gpu", "expected cpu, cuda"), ("cuda", "no CUDA GPU is visible"), ("cuda:0,1", "no CUDA GPU"),
])
def test_bad_or_unavailable_devices_are_user_errors(spec, message, monkeypatch):
    monkeypatch.setattr(devices, "cuda_device_count", lambda: 0)
    with pytest.raises(UserError, match=message):
        devices.parse_devices(spec)


def test_cuda_lists_every_visible_gpu_and_picks_ids(monkeypatch):
    monkeypatch.setattr(devices, "cuda_device_count", lambda: 3)
    assert devices.parse_devices("cuda") == ["cuda:0", "cuda:1", "cuda:2"]
    assert devices.parse_devices("cuda:2,0") == ["cuda:2", "cuda:0"]
    with pytest.raises(UserError, match="GPU 3 does not exist"):
        devices.parse_devices("cuda:3")
    with pytest.raises(UserError, match="must be numbers"):
        devices.parse_devices("cuda:a")


def test_cpu_bf16_needs_avx512_bf16_or_amx():
    assert devices.cpu_has_bf16(frozenset({"avx2", "avx512f", "avx512_bf16"}))
    assert devices.cpu_has_bf16(frozenset({"amx_bf16", "amx_tile"}))
    assert not devices.cpu_has_bf16(frozenset({"avx2", "avx512f"}))


def test_auto_dtype_per_device(monkeypatch):
    monkeypatch.setattr(devices, "cpu_has_bf16", lambda flags=None: True)
    assert devices.resolve_dtype("auto", ["cpu"]) == "bf16"
    monkeypatch.setattr(devices, "cpu_has_bf16", lambda flags=None: False)
    assert devices.resolve_dtype("auto", ["cpu"]) == "fp32"
    monkeypatch.setattr(devices, "gpu_has_bf16", lambda: False)
    assert devices.resolve_dtype("auto", ["cuda:0"]) == "fp16"
    monkeypatch.setattr(devices, "gpu_has_bf16", lambda: True)
    assert devices.resolve_dtype("auto", ["cuda:0", "cuda:1"]) == "bf16"
    assert devices.resolve_dtype("fp32", ["cuda:0"]) == "fp32"  # explicit choices stay


def test_thread_budget_is_positive_and_within_the_affinity_mask(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert 1 <= devices.cpu_thread_budget() <= len(os.sched_getaffinity(0))


def test_an_explicit_omp_num_threads_wins(monkeypatch):
    """Ray sets it to a worker's reserved CPUs: torch must not take the whole node."""
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert devices.cpu_thread_budget() == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "many")  # not a count: ignored
    assert 1 <= devices.cpu_thread_budget() <= len(os.sched_getaffinity(0))


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_quiet_when_not_a_terminal():
    stream = io.StringIO()
    bar = TaskProgress("STSB", stream=stream)
    bar.expect(10, 5)
    bar.advance(10)
    bar.close()
    assert stream.getvalue() == ""


def test_progress_shows_rate_and_cache_hits_on_a_terminal():
    stream = _Tty()
    bar = TaskProgress("STSB", stream=stream)
    bar.plan(15)
    bar.expect(10, 5)
    bar.advance(10)
    bar.close()
    text = stream.getvalue()
    assert "STSB" in text and "10/10" in text and "cache hits 5" in text and "texts/s" in text


def test_engine_options_settle_local_runs_and_leave_ray_devices_to_the_workers(monkeypatch):
    from cmteb.config import RunConfig
    from cmteb.distributed.options import RayOptions
    from cmteb.engine.run_options import with_engine_options
    from cmteb.models.types import ModelOptions

    def config(device: str, dtype: str, ray: RayOptions | None = None) -> RunConfig:
        return RunConfig(models=("m",), model_options=ModelOptions(device=device, dtype=dtype), ray=ray)

    monkeypatch.setattr(devices, "cuda_device_count", lambda: 2)
    monkeypatch.setattr(devices, "gpu_has_bf16", lambda: False)
    local = with_engine_options(config("cuda", "auto"))
    assert (local.model_options.device, local.model_options.dtype) == ("cuda:0,1", "fp16")
    monkeypatch.setattr(devices, "cuda_device_count", lambda: 0)  # the driver has no GPU
    assert with_engine_options(config("cuda", "fp16", RayOptions())) == config("cuda", "fp16", RayOptions())
    with pytest.raises(UserError, match="--dtype auto with --ray"):
        with_engine_options(config("cpu", "auto", RayOptions()))
