"""The cost view: how fast each model ran its tasks, kept apart by hardware and dtype.

From the timings cmteb records in each result (`cmteb.encoding`: texts encoded and seconds spent
encoding, cache hits excluded; `cmteb.timings.evaluation_s`: the whole task) and the hardware
it records (`cmteb.hardware`, or `cmteb.execution.hardware` for a Ray worker). Files of other
producers record at most `evaluation_time` and no hardware: they form a "hardware not recorded"
group with seconds per task only. One `SpeedRow` per (model, hardware, dtype): runs on different
hardware or dtypes are never summed together. Rows are ordered by hardware, then texts per second.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from cmteb.leaderboard.records import ModelRow, ResultFile, SpeedRow

UNRECORDED = "hardware not recorded"
_NOT_HARDWARE = ("platform", "python")  # recorded beside the hardware, but not what it is


def _hardware(block: dict[str, Any]) -> dict[str, Any] | None:
    execution = block.get("execution") if isinstance(block.get("execution"), dict) else {}
    found = execution.get("hardware") or block.get("hardware")
    return found if isinstance(found, dict) else None


def hardware_text(hardware: dict[str, Any] | None) -> str:
    """`cpu · 2 CPUs (x86_64)`, plus any other recorded key (e.g. a GPU name): every recorded
    hardware key appears, so two runs share a text only when their hardware records agree."""
    if not hardware:
        return UNRECORDED
    parts = [str(hardware.get("device", "?"))]
    if hardware.get("cpu_count"):
        parts.append(f"{hardware['cpu_count']} CPUs ({hardware.get('processor') or '?'})")
    known = {"device", "cpu_count", "processor", *_NOT_HARDWARE}
    parts += [f"{k} {hardware[k]}" for k in sorted(hardware) if k not in known]
    return " · ".join(parts)


def _key(file: ResultFile) -> tuple[str, str]:
    block = file.cmteb or {}
    hardware = _hardware(block)
    encoding = block.get("encoding") if isinstance(block.get("encoding"), dict) else {}
    settings = block.get("model_settings") if isinstance(block.get("model_settings"), dict) else {}
    dtype = encoding.get("dtype") or settings.get("dtype") or "?"
    return hardware_text(hardware), str(dtype)


def _cost(file: ResultFile) -> tuple[int, float, float | None]:
    """(texts encoded, encoding seconds, evaluation seconds) of one result file."""
    block = file.cmteb or {}
    encoding = block.get("encoding") if isinstance(block.get("encoding"), dict) else {}
    timings = block.get("timings") if isinstance(block.get("timings"), dict) else {}
    texts = encoding.get("encoded")
    seconds = encoding.get("encode_s")
    total = timings.get("evaluation_s", file.evaluation_time)
    ok = isinstance(texts, int) and isinstance(seconds, (int, float))
    return (texts if ok else 0, float(seconds) if ok else 0.0,
            float(total) if isinstance(total, (int, float)) else None)


def speed_rows(rows: Sequence[ModelRow]) -> tuple[SpeedRow, ...]:
    """One row per (model, hardware, dtype) over the files each leaderboard row uses."""
    out = []
    for row in rows:
        groups: dict[tuple[str, str], list[ResultFile]] = defaultdict(list)
        for score in row.tasks.values():
            if score.source is not None:
                groups[_key(score.source)].append(score.source)
        for (hardware, dtype), files in groups.items():
            costs = [_cost(f) for f in files]
            timed = [c for c in costs if c[2] is not None]
            if not timed:
                continue
            out.append(SpeedRow(
                model=row.model, hardware=hardware, dtype=dtype,
                tasks=len(timed), texts=sum(c[0] for c in timed),
                encode_s=sum(c[1] for c in timed), eval_s=sum(c[2] for c in timed),
                score=row.ranking.mean if row.ranking else None))
    return tuple(sorted(out, key=lambda s: (s.hardware == UNRECORDED, s.hardware, s.dtype,
                                            -(s.texts_per_s or 0.0), s.model)))
