"""Issue 15 item 2: `cmteb download` end to end on the hub-layout fixtures (read through the real
`datasets` library from CMTEB_HUB_MIRROR): --tasks, --benchmark, rerun skips, a task that cannot
be fetched, atomic folders, an unreachable hub, and runs on the downloaded folders scoring exactly
as runs on the hub path.

The task registry is a copy of tasks/ whose expected sizes are the fixtures' (a few rows each);
everything else is the shipped task definitions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cmteb.cli import main
from cmteb.data.hub import MIRROR_VAR
from cmteb.data.marker import MARKER
from cmteb.tasks import registry as registry_module
from tests.fixtures.hub.repos import FIXTURES

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def fixture_tasks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of tasks/ with each hub task's expected_size replaced by its fixture's."""
    root = tmp_path_factory.mktemp("tasks")
    shutil.copytree(ROOT / "tasks", root, dirs_exist_ok=True)
    for path in root.rglob("*.yaml"):
        if path.stem in FIXTURES:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            doc["expected_size"] = FIXTURES[path.stem].sizes
            path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture
def cli(fixture_tasks: Path, hub_mirror: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    """Run `cmteb ARGS` in-process against the fixture registry and mirror: (code, out, err)."""
    monkeypatch.setattr(registry_module, "tasks_root", lambda: fixture_tasks)
    monkeypatch.setenv(MIRROR_VAR, str(hub_mirror))

    def run(*args: str) -> tuple[int, list[str], list[str]]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out.splitlines(), _messages(captured.err)
    return run


def _messages(err: str) -> list[str]:
    """stderr without the `datasets` library's progress bars (lines drawn with carriage returns
    or ending in an examples/s rate) and the notice that the mirror is read: the problems."""
    return [line for line in err.replace("\r", "\n").splitlines()
            if line.strip() and "examples/s]" not in line
            and not line.startswith("cmteb: reading the hub repos from")]


def _folders(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.iterdir())


def test_download_benchmark_writes_every_task_then_rerun_skips(cli, tmp_path: Path) -> None:
    data = tmp_path / "d"
    code, out, err = cli("download", "--benchmark", "C-MTEB-35", "--data-dir", str(data))
    assert (code, err) == (0, [])
    wrote = [line for line in out if ": wrote " in line]
    assert len(wrote) == 35 and _folders(data) == sorted(FIXTURES)
    atec = next(line for line in out if line.startswith("ATEC: wrote"))
    assert atec == (f"ATEC: wrote {data / 'ATEC'} from C-MTEB/ATEC@0f319b1142f2 "
                    "(test: 6 pairs; validation: 6 pairs)")
    assert any(line.startswith("T2Retrieval: wrote") and "(dev: 3 queries, 6 corpus, "
               "4 relevant_qrels)" in line for line in out)
    for name in FIXTURES:
        marker = json.loads((data / name / MARKER).read_text())
        assert marker["expected_size"] == FIXTURES[name].sizes
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    code, out, err = cli("download", "--benchmark", "C-MTEB-35", "--data-dir", str(data))
    assert (code, err) == (0, [])
    assert len(out) == 35 and all(line.endswith("; skipped") for line in out)
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before


def test_download_tasks_writes_only_those(cli, tmp_path: Path) -> None:
    data = tmp_path / "d"
    code, out, _ = cli("download", "--tasks", "ATEC,T2Retrieval,Ocnli", "--data-dir", str(data))
    assert code == 0 and len(out) == 3
    assert _folders(data) == ["ATEC", "Ocnli", "T2Retrieval"]
    assert (data / "Ocnli" / "validation.jsonl").read_text().count("\n") == 6


def test_a_task_that_cannot_be_fetched_exits_2_naming_it_others_written(
    cli, tmp_path: Path, hub_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "mirror"
    shutil.copytree(hub_mirror, broken)
    shutil.rmtree(broken / "C-MTEB" / "BQ")
    monkeypatch.setenv(MIRROR_VAR, str(broken))
    data = tmp_path / "d"
    code, out, err = cli("download", "--tasks", "ATEC,BQ,STSB", "--data-dir", str(data))
    assert code == 2
    assert len(err) == 1 and err[0].startswith("cmteb: error: BQ: ")
    assert _folders(data) == ["ATEC", "STSB"] and len(out) == 2


def test_an_existing_folder_is_never_replaced(cli, tmp_path: Path) -> None:
    data = tmp_path / "d"
    (data / "ATEC").mkdir(parents=True)
    (data / "ATEC" / "test.jsonl").write_text("mine\n")
    code, out, err = cli("download", "--tasks", "ATEC,STSB", "--data-dir", str(data))
    assert code == 2 and len(err) == 1
    assert "ATEC:" in err[0] and "not written by cmteb download" in err[0]
    assert (data / "ATEC" / "test.jsonl").read_text() == "mine\n"
    assert (data / "STSB" / MARKER).is_file()


def test_wrong_size_from_the_hub_writes_nothing(cli, tmp_path: Path, fixture_tasks: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module, "tasks_root", lambda: ROOT / "tasks")
    data = tmp_path / "d"
    code, _, err = cli("download", "--tasks", "STSB", "--data-dir", str(data))
    assert code == 2 and len(err) == 1
    assert "STSB: split test: expected 1361 pairs, found 6 (+1 more) in mteb/STSB@" in err[0]
    assert not data.exists() or _folders(data) == []


KILLED = """
import os, sys
from cmteb.data import download
def killed(*args, **kwargs):
    os._exit(9)
download.write_marker = killed
from cmteb.tasks import registry
registry.tasks_root = lambda: __import__("pathlib").Path(sys.argv[2])
from cmteb.cli import main
main(["download", "--tasks", "ATEC", "--data-dir", sys.argv[1]])
"""


def test_a_killed_download_leaves_no_folder_a_run_reads(cli, tmp_path: Path, hub_mirror: Path,
                                                        fixture_tasks: Path) -> None:
    data = tmp_path / "d"
    env = {**os.environ, MIRROR_VAR: str(hub_mirror), "HF_HOME": str(tmp_path / "hf"),
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", KILLED, str(data), str(fixture_tasks)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 9
    partial = [p.name for p in data.iterdir()]
    assert len(partial) == 1 and partial[0].startswith(".ATEC.partial-")
    assert (data / partial[0] / "test.jsonl").is_file()  # files were written, the marker was not
    code, _, err = cli("run", "--model", "hash", "--tasks", "ATEC", "--data-dir", str(data),
                       "--output-dir", str(tmp_path / "out"), "--no-progress")
    assert code == 0
    result = json.loads(next((tmp_path / "out").rglob("ATEC.json")).read_text())
    assert result["cmteb"]["data"]["kind"] == "hub"  # the partial folder was not read
    old = 10_000
    os.utime(data / partial[0], (os.path.getmtime(data / partial[0]) - old,) * 2)
    code, out, _ = cli("download", "--tasks", "ATEC", "--data-dir", str(data))
    assert code == 0 and _folders(data) == ["ATEC"]


def _scores(out: Path) -> dict[str, dict]:
    files = [p for p in out.rglob("*.json") if not p.name.endswith(".samples.json")]
    return {p.stem: json.loads(p.read_text())["scores"] for p in files}


# One task of each hub layout family (tests/fixtures/hub/README.md); a run of all 35 takes ~40 s.
ONE_PER_LAYOUT = ["T2Retrieval", "CMedQAv2-reranking", "ATEC", "AFQMC", "STS22", "Ocnli", "TNews",
                  "AmazonReviewsClassification", "MassiveScenarioClassification", "CLSClusteringP2P"]


def test_downloaded_folders_score_as_the_hub_path(cli, tmp_path: Path) -> None:
    data, tasks = tmp_path / "d", ",".join(ONE_PER_LAYOUT)
    assert cli("download", "--tasks", tasks, "--data-dir", str(data))[0] == 0
    runs = {}
    for name, extra in (("local", ["--data-dir", str(data)]), ("hub", [])):
        out = tmp_path / name
        code, _, err = cli("run", "--model", "hash", "--tasks", tasks, "--output-dir", str(out),
                           "--no-progress", "--no-cache", *extra)
        assert (code, err) == (0, []), err
        runs[name] = _scores(out)
    assert sorted(runs["hub"]) == sorted(ONE_PER_LAYOUT)
    assert runs["local"] == runs["hub"]
    kinds = {p.stem: json.loads(p.read_text())["cmteb"]["data"]["kind"]
             for p in (tmp_path / "local").rglob("*.json") if not p.name.endswith("samples.json")}
    assert set(kinds.values()) == {"local"}


@pytest.mark.parametrize("env", [{"HF_HUB_OFFLINE": "1"}, {"HF_ENDPOINT": "http://127.0.0.1:9"}],
                         ids=["offline", "no-network"])
def test_unreachable_hub_exits_2_with_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    clean = {k: v for k, v in os.environ.items()
             if k not in (MIRROR_VAR, "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "HF_ENDPOINT",
                          "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")}
    done = subprocess.run(
        [sys.executable, "-m", "cmteb.cli", "download", "--tasks", "ATEC,T2Retrieval",
         "--data-dir", str(tmp_path / "d")],
        env={**clean, **env, "HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    err = _messages(done.stderr)
    assert done.returncode == 2, done.stderr
    assert len(err) == 1 and "Traceback" not in done.stderr
    assert err[0].startswith("cmteb: error: ATEC: ") and "where the hub is reachable" in err[0]
    assert "--data-dir" not in err[0]  # the run's hint (provision with cmteb download) makes no sense here
    assert "not downloaded: ATEC, T2Retrieval" in err[0]
    assert not (tmp_path / "d" / "ATEC").exists()
