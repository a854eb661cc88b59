"""Property test (issue 16, done-when): hostile names, result files, per-sample files and baselines
through `run`, `merge`, `compare`, `baseline save/check` and `leaderboard`, in-process.

For every generated case: the exit code is 0, 1 or 2, and 1 only for a regression (compare,
baseline check; `run` with the hash model has no task that can fail); stderr holds `cmteb` lines
only (no traceback, no internal error); nothing outside the output folder changes (a snapshot of
the whole temporary tree); a cmteb result holding a score that is not a finite number makes every
command that reads it exit 2, and no output (report JSON, baseline, leaderboard JSON, merged
results) holds one. The leaderboard runs with --no-plots (plots of hostile names are the
leaderboard's own item).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cmteb.cli import main as cmteb_main
from tests.hostile.helpers import snapshot

TASKS = ["DemoRetrieval", "DemoReranking", "DemoSTS", "DemoPairClassification",
         "DemoClassification", "DemoClustering"]
HOSTILE = ["..", ".", "../../escaped", "/abs/dir", "a/../../b", "x\ny", "a\x00b", "<b>x</b>",
           "[l](https://e.example)", "@team", "=HYPERLINK(\"x\")", "$x$", "a|b", "\u202eevil", "",
           "org/model", "ok-name_1.5", "模型"]
names = st.one_of(st.sampled_from(HOSTILE),
                  st.text(alphabet="ab./\\\n\t\x00|<>@#[]()$=`*~ 模\u202e:&", max_size=10))
file_stems = st.text(alphabet="ab.\\\n\t|<>@#[]()$=`*~ 模\u202e:&", max_size=10).map(
    lambda s: "t" + s).filter(lambda s: not s.endswith(".samples"))  # a file name of any sort
safe_names = st.from_regex(r"[A-Za-z0-9模][A-Za-z0-9_.\-模]{0,12}", fullmatch=True)
values = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none(), st.booleans(),
                   st.integers(-2, 2), st.text(max_size=3), st.just([]), st.just({}))


def _quiet_call(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cmteb_main([str(a) for a in args])
    event(f"{args[0]} {args[1] if args[0] == 'baseline' else ''}: exit {code}")
    return code, out.getvalue(), err.getvalue()


def _check_streams(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    assert all(line.startswith("cmteb") for line in err.splitlines() if line.strip()), err


def _no_nan(text: str) -> Any:
    """Parse JSON that must hold no NaN or infinite number."""
    def refuse(constant: str) -> None:
        raise AssertionError(f"non-finite number {constant} in an output")
    doc = json.loads(text, parse_constant=refuse)
    assert "1e400" not in text.lower()
    return doc


def _nonfinite(value: Any) -> bool:
    """A NaN/inf float or null at any depth (the test's own oracle, independent of cmteb's)."""
    if value is None or isinstance(value, float) and not math.isfinite(value):
        return True
    if isinstance(value, dict):
        return any(_nonfinite(v) for v in value.values())
    if isinstance(value, list):
        return any(_nonfinite(v) for v in value)
    return False


def _bad_cmteb_result(doc: Any) -> bool:
    """A cmteb result (task name, scores, cmteb block) with a score that is not a finite number."""
    if not (isinstance(doc, dict) and isinstance(doc.get("task_name"), str)
            and isinstance(doc.get("scores"), dict) and isinstance(doc.get("cmteb"), dict)):
        return False
    mains = [e.get("main_score") for entries in doc["scores"].values() if isinstance(entries, list)
             for e in entries if isinstance(e, dict)]
    return _nonfinite(doc["scores"]) or any(
        isinstance(m, bool) or not isinstance(m, int | float) or not math.isfinite(m) for m in mains)


def _results(folder: Path) -> list[Any]:
    return [json.loads(p.read_text("utf-8")) for p in folder.rglob("*.json")
            if not p.name.startswith(".") and not p.name.endswith(".samples.json")]


def _edit(path: Path, change, *args: Any) -> None:
    """`change(doc, *args)` on the JSON document at `path`; a change that no longer fits the
    document (an earlier mutation replaced the part it edits) leaves it as it is."""
    if path.exists():
        doc = json.loads(path.read_text("utf-8"))
        try:
            change(doc, *args)
        except (AttributeError, KeyError, TypeError, StopIteration):
            return
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _set_score(doc: dict, key: str, value: Any) -> None:
    for entries in doc["scores"].values():
        for entry in entries:
            entry[key] = value


def _lower_scores(doc: dict) -> None:
    """Every score of the result 0.3 lower (main score and the metric it repeats alike)."""
    for entries in doc["scores"].values():
        for entry in entries:
            entry.update({k: v - 0.3 for k, v in entry.items() if isinstance(v, float)})


def _spoil_samples(doc: dict, how: str) -> None:
    split = next(iter(doc["splits"]))
    column = next(iter(doc["splits"][split].values()))
    if how == "pop" and column:
        column.pop()
    elif how in ("nan", "null") and column:
        column[0] = math.nan if how == "nan" else None
    elif how == "split":
        doc["splits"]["other"] = doc["splits"].pop(split)


def _mutate(draw, folder: Path, side: str) -> None:
    """Apply a few drawn mutations to one side's copy of the demo results."""
    for _ in range(draw(st.integers(0, 3))):
        task = draw(st.sampled_from(TASKS))
        path, samples = folder / f"{task}.json", folder / f"{task}.samples.json"
        kind = draw(st.sampled_from(["score", "score", "task_name", "model", "protocol", "plain",
                                     "block", "samples", "rename", "regress", "regress", "data",
                                     "shape"]))
        if not path.exists():
            continue
        if kind == "score":
            key = draw(st.sampled_from(["main_score", "cosine_spearman", "ndcg_at_10", "map",
                                        "accuracy", "v_measure", "cosine_ap", "other"]))
            _edit(path, _set_score, key, draw(values))
        elif kind == "task_name":
            _edit(path, dict.update, {"task_name": draw(names)})
        elif kind == "model":
            name = draw(names)
            for other in folder.glob("*.json"):
                _edit(other, lambda doc, name: doc["cmteb"]["model"].update(name=name), name)
        elif kind == "protocol":
            protocol = draw(st.sampled_from(["cmteb", "mteb", "bogus", None, 7]))
            _edit(path, lambda doc, protocol: doc["cmteb"].update(protocol=protocol), protocol)
        elif kind == "plain":
            _edit(path, lambda doc: doc.pop("cmteb", None))
            samples.unlink(missing_ok=True)
        elif kind == "block":
            _edit(path, dict.update, {"cmteb": draw(st.sampled_from(["x", 1, [], None]))})
        elif kind == "samples":
            how = draw(st.sampled_from(["pop", "nan", "null", "split", "drop"]))
            if how == "drop":
                samples.unlink(missing_ok=True)
            else:
                _edit(samples, _spoil_samples, how)
        elif kind == "rename":
            stem = draw(file_stems)
            path.rename(folder / f"{stem}.json")
            if samples.exists():
                samples.rename(folder / f"{stem}.samples.json")
        elif kind == "regress" and side == "candidate":  # compared on the main score alone
            samples.unlink(missing_ok=True)
            (folder.parent / "base" / f"{task}.samples.json").unlink(missing_ok=True)
            _edit(path, _lower_scores)
        elif kind == "data":
            _edit(path, dict.update, {"dataset_revision": draw(names)})
        elif kind == "shape":
            shape = draw(st.sampled_from([{}, {"test": []}, {"test": [1]}, {"test": {"a": 1}}]))
            _edit(path, dict.update, {"scores": shape})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_results_and_baselines(demo, data):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base, cand, out = root / "in" / "base", root / "in" / "cand", root / "out"
        shutil.copytree(demo, base)
        shutil.copytree(demo, cand)
        _mutate(data.draw, cand, "candidate")
        _mutate(data.draw, base, "baseline")
        out.mkdir()
        bad_base = any(_bad_cmteb_result(d) for d in _results(base))
        bad_cand = any(_bad_cmteb_result(d) for d in _results(cand))
        before = snapshot(root, skip=out)

        code, _, err = _quiet_call("merge", base, cand, "--out", out / "merged")
        _check_streams(err)
        assert code in (0, 2) and (code == 2 or not (bad_base or bad_cand)), err
        if code == 0:
            assert not any(_bad_cmteb_result(d) for d in _results(out / "merged"))

        code, stdout, err = _quiet_call("compare", base, cand, "--report", out / "report.md",
                                        "--format", "json", "--resamples", "30")
        _check_streams(err)
        assert code in (0, 1, 2) and (code == 2 or not (bad_base or bad_cand)), err
        if code in (0, 1):
            doc = _no_nan(stdout)
            assert (code == 1) == (doc["summary"]["regression"] > 0) == (doc["exit_code"] == 1)

        save = ["baseline", "save", base, "--baselines-dir", out / "bl"]
        name = data.draw(st.none() | names)
        code, _, err = _quiet_call(*save, *([] if name is None else ["--name", name]))
        _check_streams(err)
        assert code in (0, 2) and (code == 2 or not bad_base), err
        saved = sorted((out / "bl").glob("*.json")) if (out / "bl").is_dir() else []
        for path in saved:
            _no_nan(path.read_text("utf-8"))
        where = ["--baseline", saved[0]] if saved else ["--baselines-dir", out / "bl"]
        code, _, err = _quiet_call("baseline", "check", cand, *where, "--resamples", "30")
        _check_streams(err)
        assert code in (0, 1, 2) and (code == 2 or not bad_cand), err
        assert code != 1 or "cmteb: regression:" in err

        code, stdout, err = _quiet_call("leaderboard", "--results", base, "--benchmark", "demo",
                                        "--out", out / "lb", "--no-plots", "--format", "json")
        _check_streams(err)
        assert code in (0, 2) and (code == 2 or not bad_base), err
        if code == 0:
            _no_nan(stdout)
            _no_nan((out / "lb" / "leaderboard.json").read_text("utf-8"))

        assert snapshot(root, skip=out) == before


def _unsafe(name: str) -> bool:
    """The test's own rule: names that must never reach a path."""
    return (not name or ".." in name or name.startswith("/") or "\\" in name
            or any(ord(c) < 32 or c == "\u202e" for c in name))


@settings(max_examples=40, deadline=None)
@given(name=st.none() | names | safe_names, revision=st.none() | names | safe_names,
       task=st.sampled_from(["DemoSTS", *(t for t in HOSTILE if t)]))
def test_hostile_run_names_stay_inside_the_output_folder(name, revision, task):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        out = root / "deep" / "er" / "out"
        out.mkdir(parents=True)
        before = snapshot(root, skip=out)
        args = ["run", "--model", "hash", f"--tasks={task}", "--output-dir", out, "--no-progress"]
        args += [] if name is None else [f"--name={name}"]
        args += [] if revision is None else [f"--revision={revision}"]
        code, _, err = _quiet_call(*args)
        _check_streams(err)
        assert code in (0, 2), err
        if any(v is not None and _unsafe(v) for v in (name, revision)) or task != "DemoSTS":
            assert code == 2 and len(err.strip().splitlines()) == 1, err
        if code == 0:
            written = [p for p in out.rglob("DemoSTS.json")]
            assert len(written) == 1 and written[0].resolve().is_relative_to(out.resolve())
            _no_nan(written[0].read_text("utf-8"))
        else:
            assert not any(out.rglob("*.json"))
        assert snapshot(root, skip=out) == before
