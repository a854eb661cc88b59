"""Time a two-worker local Ray run against one process on the same work, and check the scores.

    python scripts/ray_overhead.py [--model hash --model PATH ...] [--benchmark demo | --tasks A,B
                                   --data-dir DIR] [--workers 2] [--repeat 1] [--threads N]

Runs `cmteb run ARGS` (one process) and `cmteb run ARGS --ray --ray-workers N` (a local Ray
instance it starts itself) as subprocesses, each into a fresh output folder, `--repeat` times,
alternating. Prints each wall time (whole command: imports, Ray start-up, model loading,
encoding, scoring), the medians, and whether every value under `scores` is identical. Without
--model: `hash` and a tiny sentence-transformers model written by tests/tiny_models.py.
`--threads N` also times one process with OMP_NUM_THREADS=N (Ray gives each 1-CPU worker
OMP_NUM_THREADS=1; on an oversubscribed machine that alone changes torch's speed a lot).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.distributed.results import scores_by_file  # noqa: E402
from tests.tiny_models import make_tiny_st  # noqa: E402


def timed_run(args: list[str], out: Path, threads: int | None = None) -> float:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "cmteb", "run", *args, "--output-dir", str(out),
                           "--no-progress"], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"cmteb run {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", action="append", default=[])
    p.add_argument("--benchmark")
    p.add_argument("--tasks")
    p.add_argument("--data-dir")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--threads", type=int, help="also time one process with OMP_NUM_THREADS=N")
    return p.parse_args()


def main() -> None:
    opts = parse()
    work = Path(tempfile.mkdtemp(prefix="cmteb-ray-overhead-"))
    models = opts.model or ["hash", str(make_tiny_st(work / "tiny-st"))]
    args = [a for m in models for a in ("--model", m)]
    args += ["--tasks", opts.tasks] if opts.tasks else ["--benchmark", opts.benchmark or "demo"]
    args += ["--data-dir", opts.data_dir] if opts.data_dir else []
    ray_args = [*args, "--ray", "--ray-workers", str(opts.workers)]
    print(f"machine: {platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    print(f"one process: cmteb run {' '.join(args)}")
    print(f"Ray:         cmteb run {' '.join(ray_args)}")
    times: dict[str, list[float]] = {"one process": [], f"Ray, {opts.workers} workers": []}
    threaded = f"one process, OMP_NUM_THREADS={opts.threads}"
    if opts.threads:
        times[threaded] = []
    identical = True
    for i in range(opts.repeat):
        single, on_ray = work / f"single-{i}", work / f"ray-{i}"
        times["one process"].append(timed_run(args, single))
        times[f"Ray, {opts.workers} workers"].append(timed_run(ray_args, on_ray))
        identical &= scores_by_file(single) == scores_by_file(on_ray) != {}
        if opts.threads:
            times[threaded].append(timed_run(args, work / f"threads-{i}", opts.threads))
            identical &= scores_by_file(single) == scores_by_file(work / f"threads-{i}")
        print(f"run {i + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()), flush=True)
    medians = {k: statistics.median(v) for k, v in times.items()}
    print("median wall time: " + ", ".join(f"{k} {v:.1f} s" for k, v in medians.items()))
    ratio = medians[f"Ray, {opts.workers} workers"] / medians["one process"]
    print(f"Ray / one process: {ratio:.2f}x; scores identical: {'yes' if identical else 'NO'}; "
          f"load average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
