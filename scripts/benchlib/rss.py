"""Peak resident memory of this process over a phase (Linux: VmHWM, reset via clear_refs)."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")


def _hwm_mib() -> float:
    if _STATUS.exists():
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def cpu_seconds() -> float:
    """CPU time of this process so far (all threads, user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measured(fn: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """(fn(), wall seconds, CPU seconds, peak RSS MiB during the call: the process peak when
    resetting the peak is not possible on this OS). On a busy machine CPU seconds compare two
    pipelines more fairly than wall time, which depends on what else runs."""
    _reset_peak()
    start, cpu = time.perf_counter(), cpu_seconds()
    value = fn()
    return value, time.perf_counter() - start, cpu_seconds() - cpu, _hwm_mib()


def current_rss_mib() -> float:
    for line in _STATUS.read_text().splitlines() if _STATUS.exists() else []:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
