"""The cost view: recorded timings per (model, hardware, dtype), never summed across hardware."""

from __future__ import annotations

from cmteb.leaderboard.build import build_leaderboard
from cmteb.leaderboard.plots import speed_plot
from cmteb.leaderboard.present import model_colors
from cmteb.leaderboard.speed import UNRECORDED, hardware_text
from tests.leaderboard.lb_files import HARDWARE, cmteb_doc, mteb_doc, write_demo_model, write_doc

GPU = {**HARDWARE, "device": "cuda:0", "gpu": "NVIDIA A100"}


def test_runs_on_other_hardware_or_dtype_are_kept_apart(tmp_path):
    write_demo_model(tmp_path, "org/a", {"DemoSTS": 0.5, "DemoRetrieval": 0.4})
    for task, split, metric in [("DemoClustering", "test", "v_measure"),
                                ("DemoReranking", "dev", "map")]:
        doc = cmteb_doc(task, {split: {metric: 0.3}}, model="org/a", hardware=GPU,
                        encoding={"encoded": 1000, "encode_s": 0.25, "dtype": "bf16"},
                        timings={"evaluation_s": 2.0})
        write_doc(tmp_path, "org__a", "rev1", task, doc)
    write_doc(tmp_path, "org__b", "r", "DemoSTS",
              {**mteb_doc("DemoSTS", {"test": {"default": {"cosine_spearman": 0.4}}}),
               "evaluation_time": 3.0})
    board = build_leaderboard([tmp_path], "demo", resamples=0)
    rows = {(s.model, s.hardware, s.dtype): s for s in board.speed}
    cpu = rows[("org/a", hardware_text(HARDWARE), "fp32")]
    gpu = rows[("org/a", hardware_text(GPU), "bf16")]
    assert (cpu.tasks, cpu.texts, cpu.encode_s, cpu.eval_s) == (2, 200, 1.0, 2.0)
    assert (gpu.tasks, gpu.texts, gpu.texts_per_s, gpu.s_per_task) == (2, 2000, 4000.0, 2.0)
    assert "gpu NVIDIA A100" in gpu.hardware and gpu.hardware != cpu.hardware
    other = rows[("org/b", UNRECORDED, "?")]
    assert other.texts_per_s is None and other.s_per_task == 3.0
    assert speed_plot(board, model_colors(board)).startswith(b"\x89PNG")
