"""Helpers of scripts/bench_vs_mteb.py: the workload, the two pipelines, the ceiling, memory."""
