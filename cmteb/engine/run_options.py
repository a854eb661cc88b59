"""The run's engine options settled before any model is resolved: devices and `--dtype auto`.

Local runs: the device list is checked and written canonically (`cuda` -> `cuda:0,1` on a
two-GPU machine) and `--dtype auto` becomes the dtype it picks on that device, so every result
records the dtype actually used (it is part of the model settings, hence decisive).
Ray runs: the workers' devices are not this machine's, so the device stays as given (the Ray
backend checks it) and `--dtype auto` is refused: a dtype picked here could differ from what
each worker would pick.
"""

from __future__ import annotations

from dataclasses import replace

from cmteb.config import RunConfig
from cmteb.engine.devices import device_spec, parse_devices, resolve_dtype
from cmteb.errors import UserError


def with_engine_options(config: RunConfig) -> RunConfig:
    """`config` with its device and dtype settled (module docstring)."""
    opts = config.model_options
    if config.ray is not None:
        if opts.dtype == "auto":
            raise UserError("--dtype auto with --ray: the workers' hardware is not known here; "
                            "give --dtype fp32, fp16 or bf16")
        return config
    devices = parse_devices(opts.device)
    opts = replace(opts, device=device_spec(devices), dtype=resolve_dtype(opts.dtype, devices))
    return replace(config, model_options=opts)
