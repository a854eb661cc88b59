"""cmteb vs the pinned mteb on the same model and the same local data, in one process.

    python scripts/bench_vs_mteb.py                      # the full workload (~30 min on 2 cores)
    python scripts/bench_vs_mteb.py --limit 300          # quick check: first 300 rows per task
    python scripts/bench_vs_mteb.py --tasks STSB,Ocnli --no-memory

Per task, back to back (so a busy machine affects both sides alike): the pinned mteb
(`mteb.evaluate`, sentence-transformers, fp32); cmteb fp32 with an empty embedding cache (tasks
share the cache, as in one `cmteb run`); the forward-only ceiling over the texts cmteb encoded;
cmteb again on the filled cache; cmteb bf16. Models are loaded and warmed up before any clock
starts; every timing includes reading the task files. Prints wall time, texts/s, peak RSS and the
main scores side by side, the retrieval memory check, and last
`speedup_vs_mteb=<x> scores_match=<true|false>` (fp32 main scores within 0.01 points).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchlib import ceiling, cmteb_side, memory, mteb_side, workload  # noqa: E402
from benchlib.rss import measured  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MATCH_POINTS, BF16_POINTS = 0.01, 0.05
WARMUP = ["今天天气很好，适合出去散步。"] * 32


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="/work/me5-small-hf", help="HF / sentence-transformers folder")
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--tasks", default=",".join(t.name for t in workload.TASKS))
    p.add_argument("--limit", type=int, help="first N rows (pairs, queries) of each task")
    p.add_argument("--batch-size", type=int, default=32, help="both sides (mteb's default)")
    p.add_argument("--no-bf16", action="store_true")
    p.add_argument("--no-memory", action="store_true", help="skip the retrieval memory check")
    p.add_argument("--memory-sizes", default="20000,100000")
    p.add_argument("--workdir", type=Path, help="default: a temporary folder, removed after")
    return p.parse_args()


def run_task(task, ctx: dict) -> dict:
    """All measurements of one task (module docstring); returns one row of the report."""
    root, work, bs = ctx["root"], ctx["work"], ctx["batch_size"]
    row: dict = {"task": task.name, "repeated": task.repeated}
    row["mteb_score"], row["mteb_s"], row["mteb_rss"] = measured(
        lambda: mteb_side.run_task(ctx["mteb"], task, root, bs))
    doc, row["cmteb_s"], row["cmteb_rss"] = measured(lambda: cmteb_side.run_task(
        ctx["fp32"], task, root, work / "out-fp32", work / "cache", "fp32"))
    enc = cmteb_side.encoding(doc)
    row.update(texts=enc["texts"], encoded=enc["encoded"], score=cmteb_side.mteb_metric(doc, task))
    encoded_texts = ctx["recorder"].texts.get(task.name, [])
    row["ceiling_s"] = ceiling.forward_seconds(ctx["mteb"].model, encoded_texts, bs)
    cached, row["cached_s"], _ = measured(lambda: cmteb_side.run_task(
        ctx["fp32"], task, root, work / "out-cached", work / "cache", "fp32"))
    row["cached_encoded"] = cmteb_side.encoding(cached)["encoded"]
    if ctx["bf16"] is not None:
        bf16, row["bf16_s"], _ = measured(lambda: cmteb_side.run_task(
            ctx["bf16"], task, root, work / "out-bf16", work / "cache", "bf16"))
        row["bf16_score"] = cmteb_side.mteb_metric(bf16, task)
    print(f"  {task.name}: mteb {row['mteb_s']:.1f}s  cmteb {row['cmteb_s']:.1f}s  "
          f"cached {row['cached_s']:.2f}s  bf16 {row.get('bf16_s', float('nan')):.1f}s", flush=True)
    return row


def setup(args: argparse.Namespace, work: Path) -> dict:
    root = work / "data"
    tasks = workload.build(args.data, root, args.limit, args.tasks.split(","))
    fp32, recorder = cmteb_side.load_model(args.model, "fp32")
    bf16 = None if args.no_bf16 else cmteb_side.load_model(args.model, "bf16")[0]
    mteb_model = mteb_side.load_model(args.model)
    mteb_model.model.encode(WARMUP, batch_size=32)
    for model in filter(None, (fp32, bf16)):
        model.load().inner.encode(WARMUP, role="symmetric", task=None, batch_size=32)
    recorder.texts.clear()
    return {"root": root, "work": work, "batch_size": args.batch_size, "tasks": tasks, "fp32": fp32,
            "bf16": bf16, "recorder": recorder, "mteb": mteb_model}


def _pts(x: float) -> str:
    return f"{100 * x:.3f}"


def report(rows: list[dict], bf16: bool) -> dict:
    """Print the three tables; return the totals."""
    print("\n| task | texts | encoded | mteb s | cmteb s | speedup | mteb texts/s | cmteb texts/s |"
          " ceiling s | of ceiling | cached s | cached x | bf16 s | bf16 x |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        bf = (f"{r['bf16_s']:.1f} | {r['mteb_s'] / r['bf16_s']:.2f}x" if bf16 else "- | -")
        print(f"| {r['task']} | {r['texts']} | {r['encoded']} | {r['mteb_s']:.1f} | {r['cmteb_s']:.1f} | "
              f"{r['mteb_s'] / r['cmteb_s']:.2f}x | {r['texts'] / r['mteb_s']:.0f} | "
              f"{r['texts'] / r['cmteb_s']:.0f} | {r['ceiling_s']:.1f} | "
              f"{100 * r['ceiling_s'] / r['cmteb_s']:.0f}% | {r['cached_s']:.2f} | "
              f"{r['mteb_s'] / r['cached_s']:.0f}x | {bf} |")
    print("\n| task | peak RSS mteb MiB | peak RSS cmteb MiB | mteb score | cmteb fp32 | delta pts |"
          " cmteb bf16 | bf16 - fp32 pts |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        bf = (f"{_pts(r['bf16_score'])} | {100 * (r['bf16_score'] - r['score']):+.3f}" if bf16 else "- | -")
        print(f"| {r['task']} | {r['mteb_rss']:.0f} | {r['cmteb_rss']:.0f} | {_pts(r['mteb_score'])} | "
              f"{_pts(r['score'])} | {100 * (r['score'] - r['mteb_score']):+.3f} | {bf} |")
    return totals(rows, bf16)


def totals(rows: list[dict], bf16: bool) -> dict:
    """Sums over the tasks the issue names (the repeated-text workload is reported on its own);
    score deltas over every task."""
    core = [r for r in rows if not r["repeated"]] or rows
    total = {k: sum(r[k] for r in core) for k in ("mteb_s", "cmteb_s", "ceiling_s", "cached_s")}
    total["bf16_s"] = sum(r["bf16_s"] for r in core) if bf16 else float("nan")
    total["max_delta"] = max(abs(r["score"] - r["mteb_score"]) * 100 for r in rows)
    total["max_bf16_delta"] = (max(abs(r["bf16_score"] - r["score"]) * 100 for r in rows)
                               if bf16 else float("nan"))
    total["forward_in_cached"] = sum(r["cached_encoded"] for r in rows)
    return total


def memory_check(sizes: list[int]) -> None:
    print(f"\nRetrieval memory ({memory.QUERIES} queries, {memory.DIM}-d, exact chunked search):")
    print("| passages | embeddings MiB | peak above baseline MiB | minus 2 x embeddings | full score matrix"
          " would be MiB | seconds |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        m = memory.retrieval_peak(n)
        print(f"| {n} | {m['embeddings_mib']:.0f} | {m['extra_peak_mib']:.0f} | "
              f"{m['extra_peak_mib'] - 2 * m['embeddings_mib']:.0f} | {m['full_matrix_mib']:.0f} | "
              f"{m['seconds']:.1f} |")


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="cmteb-bench-") as tmp:
        work = args.workdir or Path(tmp)
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}; model {args.model}", flush=True)
        ctx = setup(args, work)
        rows = [run_task(task, ctx) for task in ctx["tasks"]]
    total = report(rows, ctx["bf16"] is not None)
    if not args.no_memory:
        memory_check([int(s) for s in args.memory_sizes.split(",")])
    summary(rows, total, ctx["bf16"] is not None)
    return 0


def summary(rows: list[dict], total: dict, bf16: bool) -> None:
    """The figures the targets are stated in, then the machine-readable last line."""
    speedup = total["mteb_s"] / total["cmteb_s"]
    named = ", ".join(r["task"] for r in rows if not r["repeated"])
    print(f"\nTotals over {named}:")
    print(f"fp32: mteb {total['mteb_s']:.1f}s, cmteb {total['cmteb_s']:.1f}s -> {speedup:.2f}x; "
          f"{100 * total['ceiling_s'] / total['cmteb_s']:.0f}% of the forward-only ceiling "
          f"({total['ceiling_s']:.1f}s); max |score delta| {total['max_delta']:.4f} points")
    print(f"cached re-run: {total['cached_s']:.2f}s -> {total['mteb_s'] / total['cached_s']:.0f}x faster than"
          f" mteb; texts encoded in the cached run: {total['forward_in_cached']}")
    for r in (r for r in rows if r["repeated"]):
        print(f"many repeated texts ({r['task']}: {r['texts']} texts, {r['encoded']} encoded): "
              f"{r['mteb_s'] / r['cmteb_s']:.2f}x faster than mteb")
    if bf16:
        print(f"bf16: {total['bf16_s']:.1f}s -> {total['mteb_s'] / total['bf16_s']:.2f}x mteb fp32; "
              f"max |bf16 - fp32| {total['max_bf16_delta']:.4f} points")
    print(f"load average now {os.getloadavg()[0]:.1f}")
    match = total["max_delta"] <= MATCH_POINTS
    print(f"speedup_vs_mteb={speedup:.2f} scores_match={str(match).lower()}")


if __name__ == "__main__":
    sys.exit(main())
