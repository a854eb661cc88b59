"""cmteb vs the pinned mteb on the same model and the same local data, in one process.

    python scripts/bench_vs_mteb.py                      # the full workload (~30 min on 2 cores)
    python scripts/bench_vs_mteb.py --limit 300          # quick check: first 300 rows per task
    python scripts/bench_vs_mteb.py --tasks STSB,Ocnli --no-memory

Per task, back to back (so a busy machine affects both sides alike): the pinned mteb
(`mteb.evaluate`, sentence-transformers, fp32, at its default batch size 32); cmteb fp32 at its
defaults (token-budget batches) with an empty embedding cache (tasks share the cache, as in one
`cmteb run`); the forward-only ceiling over the texts cmteb encoded, batched as cmteb batches;
cmteb again on the filled cache; cmteb bf16. Models are loaded and warmed up before any clock
starts; every timing includes reading the task files. Wall and CPU seconds are both reported:
on a shared machine the CPU-time ratios are the steadier comparison. Prints wall time, texts/s,
peak RSS and the scores side by side (the pinned mteb's main metric on both sides; cmteb's own
main score, under its default protocol, in fp32 and bf16), the retrieval memory check, and last
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

from benchlib import ceiling, cmteb_side, memory, mteb_side, workload
from benchlib.rss import measured

from cmteb.engine.batching import DEFAULT_BATCH_SIZE

ROOT = Path(__file__).resolve().parents[1]
MATCH_POINTS, BF16_POINTS = 0.01, 0.05
WARMUP = ["今天天气很好，适合出去散步。"] * 32


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=os.environ.get("CMTEB_BENCH_MODEL"),
                   required="CMTEB_BENCH_MODEL" not in os.environ, metavar="DIR",
                   help="Hugging Face / sentence-transformers checkpoint folder "
                        "(default: $CMTEB_BENCH_MODEL)")
    p.add_argument("--data", type=Path, default=os.environ.get("CMTEB_BENCH_DATA"),
                   required="CMTEB_BENCH_DATA" not in os.environ, metavar="DIR",
                   help="real C-MTEB data in the local layout, the workload's tasks "
                        "(default: $CMTEB_BENCH_DATA)")
    p.add_argument("--tasks", default=",".join(t.name for t in workload.TASKS))
    p.add_argument("--limit", type=int, help="first N rows (pairs, queries) of each task")
    p.add_argument("--mteb-batch-size", type=int, default=32, help="mteb's batch size (its default: 32)")
    p.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                   help=f"cmteb's most texts per batch (its default: {DEFAULT_BATCH_SIZE})")
    p.add_argument("--no-bf16", action="store_true")
    p.add_argument("--no-memory", action="store_true", help="skip the retrieval memory check")
    p.add_argument("--memory-sizes", default="20000,100000")
    p.add_argument("--workdir", type=Path, help="default: a temporary folder, removed after")
    return p.parse_args()


def run_task(task, ctx: dict) -> dict:
    """All measurements of one task (module docstring); returns one row of the report. The
    repeated-text workload gets a cache of its own, so only its own repeats count."""
    root, work, bs = ctx["root"], ctx["work"], ctx["batch_size"]
    run = cmteb_side.run_task
    cache = work / ("cache-" + task.name if task.repeated else "cache")
    row: dict = {"task": task.name, "repeated": task.repeated}
    row["mteb_score"], row["mteb_s"], row["mteb_cpu"], row["mteb_rss"] = measured(
        lambda: mteb_side.run_task(ctx["mteb"], task, root, ctx["mteb_batch_size"]))
    doc, row["cmteb_s"], row["cmteb_cpu"], row["cmteb_rss"] = measured(
        lambda: run(ctx["fp32"], task, root, work / "out-fp32", cache, "fp32", bs))
    enc = cmteb_side.encoding(doc)
    row.update(texts=enc["texts"], encoded=enc["encoded"], score=cmteb_side.mteb_metric(doc, task),
               main=cmteb_side.main_score(doc, task), protocol=doc["cmteb"]["protocol"])
    encoded_texts = ctx["recorder"].texts.get(task.name, [])
    row["ceiling_s"], row["ceiling_cpu"] = ceiling.forward_seconds(ctx["mteb"].model, encoded_texts, bs)
    cached, row["cached_s"], row["cached_cpu"], _ = measured(
        lambda: run(ctx["fp32"], task, root, work / "out-cached", cache, "fp32", bs))
    row["cached_encoded"] = cmteb_side.encoding(cached)["encoded"]
    if ctx["bf16"] is not None:
        bf16, row["bf16_s"], row["bf16_cpu"], _ = measured(
            lambda: run(ctx["bf16"], task, root, work / "out-bf16", cache, "bf16", bs))
        row["bf16_score"] = cmteb_side.mteb_metric(bf16, task)
        row["bf16_main"] = cmteb_side.main_score(bf16, task)
    print(f"  {task.name}: mteb {row['mteb_s']:.1f}s  cmteb {row['cmteb_s']:.1f}s  "
          f"cached {row['cached_s']:.2f}s  bf16 {row.get('bf16_s', float('nan')):.1f}s "
          f"(load {os.getloadavg()[0]:.1f})", flush=True)
    return row


def setup(args: argparse.Namespace, work: Path) -> dict:
    root = work / "data"
    tasks = workload.build(args.data, root, args.limit, args.tasks.split(","))
    fp32, recorder = cmteb_side.load_model(args.model, "fp32")
    bf16 = None if args.no_bf16 else cmteb_side.load_model(args.model, "bf16")[0]
    mteb_model = mteb_side.load_model(args.model)
    mteb_model.model.encode(WARMUP, batch_size=32)
    for model in filter(None, (fp32, bf16)):
        adapter = model.load().inner
        adapter.encode(WARMUP, role="symmetric", task=None, batch_size=args.batch_size)
        adapter.take_encoding_report()  # the warm-up texts are no task's
    recorder.texts.clear()
    return {"root": root, "work": work, "batch_size": args.batch_size, "tasks": tasks, "fp32": fp32,
            "mteb_batch_size": args.mteb_batch_size,
            "bf16": bf16, "recorder": recorder, "mteb": mteb_model}


def _pts(x: float) -> str:
    return f"{100 * x:.3f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "-"


def report(rows: list[dict], bf16: bool) -> dict:
    """Print the timing table (wall and CPU seconds) and the memory/score table; return totals."""
    print("\n| task | texts | encoded | mteb s | cmteb s | speedup | mteb texts/s | cmteb texts/s |"
          " ceiling s | of ceiling | cached s | cached x | bf16 s | bf16 x | speedup (CPU s) |"
          " of ceiling (CPU s) | bf16 x (CPU s) |")
    print("|---|" + "---:|" * 16)
    for r in rows:
        bf = f"{r['bf16_s']:.1f} | {_ratio(r['mteb_s'], r['bf16_s'])}" if bf16 else "- | -"
        print(f"| {r['task']} | {r['texts']} | {r['encoded']} | {r['mteb_s']:.1f} | {r['cmteb_s']:.1f} | "
              f"{_ratio(r['mteb_s'], r['cmteb_s'])} | {r['texts'] / r['mteb_s']:.0f} | "
              f"{r['texts'] / r['cmteb_s']:.0f} | {r['ceiling_s']:.1f} | "
              f"{100 * r['ceiling_s'] / r['cmteb_s']:.0f}% | {r['cached_s']:.2f} | "
              f"{_ratio(r['mteb_s'], r['cached_s'])} | {bf} | {_ratio(r['mteb_cpu'], r['cmteb_cpu'])} | "
              f"{100 * r['ceiling_cpu'] / r['cmteb_cpu']:.0f}% | "
              f"{_ratio(r['mteb_cpu'], r['bf16_cpu']) if bf16 else '-'} |")
    print("\nScores: the pinned mteb's main metric (both sides), then cmteb's own main score (its"
          f" `{rows[0]['protocol']}` protocol) in fp32 and bf16.")
    print("| task | peak RSS mteb MiB | peak RSS cmteb MiB | mteb score | cmteb fp32 | delta pts |"
          " cmteb bf16 | bf16 - fp32 pts | cmteb main fp32 | cmteb main bf16 | bf16 - fp32 pts |")
    print("|---|" + "---:|" * 10)
    for r in rows:
        bf = (f"{_pts(r['bf16_score'])} | {100 * (r['bf16_score'] - r['score']):+.3f} | {_pts(r['main'])} | "
              f"{_pts(r['bf16_main'])} | {100 * (r['bf16_main'] - r['main']):+.3f}" if bf16
              else f"- | - | {_pts(r['main'])} | - | -")
        print(f"| {r['task']} | {r['mteb_rss']:.0f} | {r['cmteb_rss']:.0f} | {_pts(r['mteb_score'])} | "
              f"{_pts(r['score'])} | {100 * (r['score'] - r['mteb_score']):+.3f} | {bf} |")
    return totals(rows, bf16)


def totals(rows: list[dict], bf16: bool) -> dict:
    """Sums over the tasks the issue names (the repeated-text workload is reported on its own);
    score deltas over every task."""
    core = [r for r in rows if not r["repeated"]] or rows
    keys = ["mteb_s", "cmteb_s", "ceiling_s", "cached_s", "mteb_cpu", "cmteb_cpu", "ceiling_cpu"]
    keys += ["bf16_s", "bf16_cpu"] if bf16 else []
    total = {k: sum(r[k] for r in core) for k in keys}
    total["max_delta"] = max(abs(r["score"] - r["mteb_score"]) * 100 for r in rows)
    total["max_bf16_delta"] = (max(abs(r["bf16_score"] - r["score"]) * 100 for r in rows)
                               if bf16 else float("nan"))
    total["max_bf16_main_delta"] = (max(abs(r["bf16_main"] - r["main"]) * 100 for r in rows)
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


def summary(rows: list[dict], t: dict, bf16: bool) -> None:
    """The figures the targets are stated in (wall time; CPU time beside it), then the
    machine-readable last line."""
    speedup = t["mteb_s"] / t["cmteb_s"]
    print(f"\nTotals over {', '.join(r['task'] for r in rows if not r['repeated'])}:")
    print(f"fp32: mteb {t['mteb_s']:.1f}s, cmteb {t['cmteb_s']:.1f}s -> {speedup:.2f}x "
          f"(CPU time {_ratio(t['mteb_cpu'], t['cmteb_cpu'])}); "
          f"{100 * t['ceiling_s'] / t['cmteb_s']:.0f}% of the forward-only ceiling {t['ceiling_s']:.1f}s "
          f"(CPU time {100 * t['ceiling_cpu'] / t['cmteb_cpu']:.0f}%); max |score delta| "
          f"{t['max_delta']:.4f} points")
    print(f"cached re-run: {t['cached_s']:.2f}s -> {_ratio(t['mteb_s'], t['cached_s'])} faster than mteb;"
          f" texts encoded in the cached runs: {t['forward_in_cached']}")
    for r in (r for r in rows if r["repeated"]):
        print(f"many repeated texts ({r['task']}: {r['texts']} texts, {r['encoded']} encoded): "
              f"{_ratio(r['mteb_s'], r['cmteb_s'])} faster than mteb (CPU time "
              f"{_ratio(r['mteb_cpu'], r['cmteb_cpu'])})")
    if bf16:
        print(f"bf16: {t['bf16_s']:.1f}s -> {_ratio(t['mteb_s'], t['bf16_s'])} mteb fp32 (CPU time "
              f"{_ratio(t['mteb_cpu'], t['bf16_cpu'])}); max |bf16 - fp32| on mteb's main metrics "
              f"{t['max_bf16_delta']:.4f} points (within {BF16_POINTS}: "
              f"{str(t['max_bf16_delta'] <= BF16_POINTS).lower()}), on cmteb's main scores "
              f"{t['max_bf16_main_delta']:.4f} points (within {BF16_POINTS}: "
              f"{str(t['max_bf16_main_delta'] <= BF16_POINTS).lower()})")
    print(f"load average now {os.getloadavg()[0]:.1f}")
    match = t["max_delta"] <= MATCH_POINTS
    print(f"speedup_vs_mteb={speedup:.2f} scores_match={str(match).lower()}")


if __name__ == "__main__":
    sys.exit(main())
