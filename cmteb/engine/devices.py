"""Devices, dtypes and CPU threads: what `--device`, `--dtype` and the defaults resolve to.

- `--device cpu` | `cuda` (every visible GPU) | `cuda:1` | `cuda:0,1` -> a list of torch devices.
- `--dtype fp32` (default, reproducible) | `fp16` | `bf16` | `auto`: the fastest the device does
  well: bf16 on GPUs that support it, else fp16; on CPU bf16 only when the CPU has native bf16
  arithmetic (AVX512-BF16 or AMX), else fp32.
- CPU threads: the CPUs this process may use (`OMP_NUM_THREADS` when set, else the affinity mask
  and cgroup quota), split evenly between worker processes.
"""

from __future__ import annotations

import logging
import math
import os
from functools import cache
from pathlib import Path

from cmteb.errors import UserError

log = logging.getLogger("cmteb")

DTYPES = ("fp32", "fp16", "bf16")
DTYPE_CHOICES = (*DTYPES, "auto")  # what --dtype accepts
CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")
# Padded tokens per batch: on CPU, 4,096 was fastest of 4,096 / 8,192 / 16,384 (2 cores,
# multilingual-e5-small); GPUs need far bigger batches to be busy.
CPU_TOKEN_BUDGET = 4096
GPU_TOKEN_BUDGET = 65536


def cuda_device_count() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def check_device_spec(spec: str) -> list[int] | None:
    """The GPU ids a `--device` string names (None: `cpu`, `mps`, or every GPU for `cuda`);
    UserError when it is not a device string. Needs no torch and no GPU."""
    spec = spec.strip().lower()
    if spec in ("cpu", "mps", "cuda"):
        return None
    if not spec.startswith("cuda:"):
        raise UserError(f"--device {spec!r}: expected cpu, cuda, cuda:N or cuda:0,1")
    ids = spec.removeprefix("cuda:").split(",")
    if not all(i.strip().isdigit() for i in ids):
        raise UserError(f"--device {spec!r}: GPU ids must be numbers, e.g. cuda:0,1")
    return list(dict.fromkeys(int(i) for i in ids))


def parse_devices(spec: str) -> list[str]:
    """`cpu`, `mps`, `cuda`, `cuda:N`, `cuda:0,1` -> torch device strings (UserError if invalid,
    or when a named GPU is not there)."""
    chosen = check_device_spec(spec)
    spec = spec.strip().lower()
    if spec in ("cpu", "mps"):
        return [spec]
    count = cuda_device_count()
    if count == 0:
        raise UserError(f"--device {spec}: no CUDA GPU is visible (torch.cuda.is_available() is False)")
    if chosen is None:
        return [f"cuda:{i}" for i in range(count)]
    missing = [i for i in chosen if i >= count]
    if missing:
        raise UserError(f"--device {spec}: GPU {missing[0]} does not exist ({count} visible)")
    return [f"cuda:{i}" for i in chosen]


def device_spec(devices: list[str]) -> str:
    """The canonical string of a device list: `cpu`, `cuda:0` or `cuda:0,1`."""
    if len(devices) == 1:
        return devices[0]
    return "cuda:" + ",".join(d.removeprefix("cuda:") for d in devices)


@cache
def cpu_flags() -> frozenset[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


def cpu_has_bf16(flags: frozenset[str] | None = None) -> bool:
    """Native bf16 arithmetic on this CPU (AVX512-BF16 or AMX-BF16)."""
    flags = cpu_flags() if flags is None else flags
    return any(f in flags for f in CPU_BF16_FLAGS)


def gpu_has_bf16() -> bool:
    import torch

    return bool(torch.cuda.is_bf16_supported())


def resolve_dtype(requested: str, devices: list[str]) -> str:
    """The dtype to run: `auto` -> fastest well-supported (module docstring); warns when an
    explicit choice will be slow on this device."""
    on_gpu = devices[0].startswith("cuda")
    if requested == "auto":
        if on_gpu:
            return "bf16" if gpu_has_bf16() else "fp16"
        return "bf16" if devices[0] == "cpu" and cpu_has_bf16() else "fp32"
    if requested not in DTYPES:
        raise UserError(f"--dtype {requested!r}: expected one of {', '.join(DTYPE_CHOICES)}")
    if devices[0] == "cpu" and requested == "fp16":
        log.warning("--dtype fp16 on CPU is slow in torch; bf16 (or auto) is the fast CPU choice")
    if devices[0] == "cpu" and requested == "bf16" and not cpu_has_bf16():
        log.warning("--dtype bf16: this CPU has no native bf16 (AVX512-BF16/AMX); it will be slow")
    return requested


def default_token_budget(device: str) -> int:
    return GPU_TOKEN_BUDGET if device.startswith("cuda") else CPU_TOKEN_BUDGET


def _cgroup_cpu_quota() -> int | None:
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    return max(1, math.floor(int(quota) / int(period)))


def cpu_thread_budget() -> int:
    """CPUs this process may use: an explicit `OMP_NUM_THREADS` (set by the user, or by Ray for
    each worker's reserved CPUs) wins; else its affinity mask, capped by a cgroup CPU quota."""
    explicit = os.environ.get("OMP_NUM_THREADS", "")
    if explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    return max(1, min(cpus, quota) if quota else cpus)


def configure_cpu_threads() -> None:
    """Set torch's intra-op threads to the CPU budget (`cpu_thread_budget`)."""
    import torch

    threads = cpu_thread_budget()
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
