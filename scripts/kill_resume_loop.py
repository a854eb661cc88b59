"""Kill `python -m cmteb.run --model hash --benchmark demo` with SIGKILL at random points, resume it
with the same command each time, and check that the results equal a clean run's, byte for byte.

    python scripts/kill_resume_loop.py [--kills 20] [--seed 0] [--workdir DIR]

1. A clean run into WORK/clean gives the reference and its wall time T.
2. Loop until `--kills` kills: start the same command on WORK/run-<c>; kill it with SIGKILL after a
   random delay (a quarter uniform over [0, T], so kills land during start-up too; the rest uniform
   over the part of T where tasks run). When a run finishes before its kill time, that folder is
   complete: it is compared with the reference and a new folder starts (so later kills still land
   in unfinished work). After every kill, every `*.json` in the folder must parse completely.
3. The last folder is finished by one uninterrupted run of the same command and compared too.

Identical means: for every task, the `scores` of the result (canonical JSON) and the whole
`{Task}.samples.json` file are byte-identical to the clean run's. Prints one line per kill and a
last line `kills=<n> ... identical=<true|false>`; exit 0 only when every folder is identical.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "cmteb.run", "--model", "hash", "--benchmark", "demo"]
LOCKS = ".cmteb-locks"


def start(out: Path) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([*COMMAND, "--output-dir", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def fingerprint(out: Path) -> dict[str, bytes]:
    """{task: canonical scores JSON} and {samples file: bytes} of every result under `out`."""
    found: dict[str, bytes] = {}
    for path in sorted(out.rglob("*.json")):
        if LOCKS in path.parts:
            continue
        if path.name.endswith(".samples.json"):
            found[path.name] = path.read_bytes()
        else:
            scores = json.loads(path.read_text("utf-8"))["scores"]
            found[path.stem] = json.dumps(scores, sort_keys=True, ensure_ascii=False).encode()
    return found


def check_complete_files(out: Path) -> None:
    """Every JSON file parses: a half-written result would fail here."""
    for path in out.rglob("*.json"):
        json.loads(path.read_text("utf-8"))


def work_started(out: Path, pid: int) -> bool:
    """Whether run `pid` got past start-up (it writes its pid into the locks it takes)."""
    return any(f'"pid": {pid},' in p.read_text("utf-8", errors="replace")
               for p in (out / LOCKS).rglob("*.lock")) if (out / LOCKS).is_dir() else False


def clean_run(work: Path) -> tuple[dict[str, bytes], float, float]:
    """Reference fingerprint, wall time, and the time the run took its locks (work starts)."""
    out = work / "clean"
    began = time.monotonic()
    proc = start(out)
    locked_at = None
    while proc.poll() is None:
        if locked_at is None and work_started(out, proc.pid):
            locked_at = time.monotonic() - began
        time.sleep(0.02)
    wall = time.monotonic() - began
    if proc.returncode != 0:
        sys.exit(f"clean run failed ({proc.returncode}): {proc.stderr.read()}")
    return fingerprint(out), wall, locked_at if locked_at is not None else wall / 2


def kill_loop(work: Path, kills: int, rng: random.Random, wall: float, work_from: float,
              reference: dict[str, bytes]) -> tuple[list[Path], int, int]:
    """Returns (folders, runs started, kills that landed after start-up)."""
    folders, runs, in_work, done = [work / "run-1"], 0, 0, 0
    while done < kills:
        out = folders[-1]
        delay = rng.uniform(0, wall) if rng.random() < 0.25 else rng.uniform(work_from, wall)
        before = len([p for p in fingerprint(out) if not p.endswith(".samples.json")])
        proc, runs = start(out), runs + 1
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            started = work_started(out, proc.pid)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            done, in_work = done + 1, in_work + started
            check_complete_files(out)
            after = len([p for p in fingerprint(out) if not p.endswith(".samples.json")])
            stale = len([p for p in out.rglob("*.tmp")])
            print(f"kill {done:2d}: {out.name} at {delay:5.2f}s "
                  f"{'during tasks' if started else 'in start-up '} results {before}->{after} "
                  f"stale_temp_files={stale}", flush=True)
            continue
        if proc.returncode != 0:
            sys.exit(f"{out.name}: run exited {proc.returncode}: {proc.stderr.read()}")
        print(f"         {out.name} finished before its kill time ({delay:.2f}s): "
              f"identical={fingerprint(out) == reference}", flush=True)
        folders.append(work / f"run-{len(folders) + 1}")
    return folders, runs, in_work


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, help="default: a new temporary folder")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cmteb-kill-"))
    rng = random.Random(args.seed)
    reference, wall, work_from = clean_run(work)
    print(f"clean run: {wall:.2f}s wall, tasks from {work_from:.2f}s, {len(reference) // 2} tasks; "
          f"work folder {work}", flush=True)
    folders, runs, in_work = kill_loop(work, args.kills, rng, wall, work_from, reference)
    final = start(folders[-1])  # the last resume, left to finish
    if final.wait() != 0:
        sys.exit(f"final resume exited {final.returncode}: {final.stderr.read()}")
    identical = [fingerprint(f) == reference for f in folders]
    leftovers = sum(1 for f in folders for _ in f.rglob("*.tmp"))
    print(f"kills={args.kills} kills_during_tasks={in_work} runs={runs + 1} folders={len(folders)} "
          f"stale_temp_files_left={leftovers} identical={str(all(identical)).lower()}")
    return 0 if all(identical) and not leftovers else 1


if __name__ == "__main__":
    sys.exit(main())
