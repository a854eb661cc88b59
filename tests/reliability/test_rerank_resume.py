"""A reranker run (a tiny real cross-encoder) killed mid-split resumes from its stored pair
scores; engine failures while scoring pairs fail the task with one line.

The killed run is a subprocess that stores pair scores in segments of SEGMENT pairs (the default
segment is larger than the demo's split) and is SIGKILLed at a chosen `predict` call, that is
after some segments were stored; the resumed run is the plain `cmteb run` command.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cmteb.models.cross_encoder import CrossEncoderBackend, CrossEncoderScorer, CrossEncoderSettings
from tests.reliability.helpers import result_files, run_cmteb, scores_by_task

ROOT = Path(__file__).resolve().parents[2]
SEGMENT = 16
PREDICT = "cmteb.models.cross_encoder:CrossEncoderScorer.predict"
# kill_point's command line, run with the cached call's segment made small first
LAUNCH = ("import sys; import cmteb.models.cached_call as c; c.SEGMENT_ROWS = int(sys.argv[1]); "
          "from tests.reliability.kill_point import main; sys.exit(main(sys.argv[2:]))")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reranker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.tiny_models import make_tiny_cross_encoder

    return make_tiny_cross_encoder(tmp_path_factory.mktemp("models") / "tiny-reranker", seed=3)


def rerank_args(model: Path, out: Path, cache: Path) -> list[str]:
    return ["--model", str(model), "--tasks", "DemoReranking", "--output-dir", str(out),
            "--cache-dir", str(cache), "--no-progress"]


def encoding(out: Path) -> dict:
    return json.loads(result_files(out)["DemoReranking"].read_text("utf-8"))["cmteb"]["encoding"]


def test_a_reranker_killed_mid_split_resumes_from_its_stored_pairs(tmp_path, capsys, reranker):
    clean_out = tmp_path / "clean"
    code, _, _ = run_cmteb(capsys, *rerank_args(reranker, clean_out, tmp_path / "clean-cache"))
    assert code == 0
    pairs = encoding(clean_out)["unique_texts"]
    assert pairs > 2 * SEGMENT  # the split spans more than the two segments stored before the kill

    out, cache = tmp_path / "out", tmp_path / "cache"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCH, str(SEGMENT), PREDICT, "3", "kill", "run",
         *rerank_args(reranker, out, cache)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert not result_files(out)

    code, _, _ = run_cmteb(capsys, *rerank_args(reranker, out, cache))
    assert code == 0
    resumed = encoding(out)
    assert (resumed["cache_hits"], resumed["encoded"]) == (2 * SEGMENT, pairs - 2 * SEGMENT)
    assert resumed["truncation"]["texts"] == pairs - 2 * SEGMENT  # the model saw only the rest
    assert scores_by_task(out) == scores_by_task(clean_out)


def test_out_of_memory_while_scoring_pairs_fails_the_task_with_one_line(tmp_path, capsys, reranker,
                                                                        monkeypatch):
    def out_of_memory(self, texts):
        raise RuntimeError("CUDA out of memory. Tried to allocate 20.00 MiB")

    monkeypatch.setattr(CrossEncoderBackend, "forward", out_of_memory)
    code, _, err = run_cmteb(capsys, *rerank_args(reranker, tmp_path / "out", tmp_path / "cache"))
    assert code == 1
    (line,) = [ln for ln in err.strip().splitlines() if ln.startswith("cmteb: error:")]
    assert re.fullmatch(rf"cmteb: error: {reranker.name}: model {reranker.name} on task DemoReranking: "
                        r"out of memory on a single text of \d+ tokens; lower --max-length", line)


def test_a_failed_worker_while_scoring_pairs_fails_the_task_with_one_line(tmp_path, reranker):
    """Two CPU worker processes stand in for two GPUs; both fail to load the model (its weights
    are gone), while this process still loads the tokenizer that plans the batches."""
    from cmteb.errors import TaskError
    from cmteb.models.pair_scorer import TaskPairScorer
    from cmteb.models.policy import TextPolicy
    from tests.conftest import make_spec

    broken = tmp_path / "no-weights"
    broken.mkdir()
    for path in reranker.iterdir():
        if path.suffix != ".safetensors":
            (broken / path.name).write_bytes(path.read_bytes())
    scorer = CrossEncoderScorer(str(broken), CrossEncoderSettings(), devices=["cpu", "cpu"])
    try:
        with pytest.raises(TaskError) as err:
            TaskPairScorer(scorer, TextPolicy(), make_spec("Reranking"), model_name="no-weights")(
                ["问题"], ["答案"])
    finally:
        scorer.placement.close()
    message = str(err.value)
    assert message.startswith("model no-weights on task TinyReranking: encoding worker on cpu failed: ")
    assert "\n" not in message
