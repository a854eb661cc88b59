"""Issue 16 item 6: `--model package.module:ClassName` fails with one line (exit 2), the `cmteb`
script finds modules in the current folder, and the class's source keys its cache and results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cmteb.engine.cache import LAYOUT
from tests.hostile.helpers import cli, one_error_line

ROOT = Path(__file__).resolve().parents[2]
ENCODER = """\
from cmteb.models.hash_encoder import HashEncoder


class Enc(HashEncoder):
    def __init__(self):
        super().__init__(dim={dim})
"""


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty current folder; sys.path restored and its modules forgotten afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield tmp_path
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", None) or "").startswith(str(tmp_path)):
            del sys.modules[name]


def _run(capsys, model: str, out: Path, *extra: str) -> tuple[int, str, str]:
    return cli(capsys, "run", "--model", model, "--tasks", "DemoSTS", "--output-dir", out,
               "--no-progress", *extra)


@pytest.mark.parametrize(("spec", "fragment"), [
    ("..:X", "model '..:X': expected package.module:ClassName"),
    (":X", "model ':X': expected package.module:ClassName"),
    ("pkg.:X", "model 'pkg.:X': expected package.module:ClassName"),
    ("mod:", "model 'mod:': expected package.module:ClassName"),
    ("no_such_module_here:X", "model 'no_such_module_here:X': cannot import no_such_module_here"),
    ("broken_syntax:X", "broken_syntax.py:2: syntax error (invalid syntax)"),
    ("raises_on_import:X", "importing raises_on_import failed: RuntimeError: no GPU here"),
    ("exits_on_import:X", "importing exits_on_import failed: SystemExit: 3"),
    ("needs_missing:X", "(it imports 'surely_not_installed_pkg', which is not installed)"),
    ("fine:Missing", "fine.py has no class Missing"),
])
def test_a_class_that_cannot_be_had_exits_2_in_one_line(workdir, capsys, spec, fragment):
    (workdir / "broken_syntax.py").write_text("class X:\n    def (self):\n", encoding="utf-8")
    (workdir / "raises_on_import.py").write_text("raise RuntimeError('no GPU here')\n", encoding="utf-8")
    (workdir / "exits_on_import.py").write_text("import sys\nsys.exit(3)\n", encoding="utf-8")
    (workdir / "needs_missing.py").write_text("import surely_not_installed_pkg\n", encoding="utf-8")
    (workdir / "fine.py").write_text("X = 1\n", encoding="utf-8")
    code, _, err = _run(capsys, spec, workdir / "out")
    assert code == 2 and fragment in one_error_line(err)
    assert not (workdir / "out").exists()


def test_the_cmteb_script_finds_a_module_in_the_current_folder(tmp_path):
    """The console script's own folder, not the current one, is first on its path: cmteb adds it."""
    work, scripts = tmp_path / "work", tmp_path / "bin"
    work.mkdir()
    scripts.mkdir()
    (work / "my_encoder.py").write_text(ENCODER.format(dim=64), encoding="utf-8")
    script = scripts / "cmteb"  # what pip writes for `[project.scripts] cmteb = "cmteb.cli:main"`
    script.write_text("import sys\nfrom cmteb.cli import main\nif __name__ == '__main__':\n"
                      "    sys.exit(main())\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, str(script), "run", "--model", "my_encoder:Enc", "--tasks",
                           "DemoSTS", "--output-dir", "out", "--no-progress"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (work / "out" / "my_encoder.Enc" / "no_revision_available" / "DemoSTS.json").is_file()


def test_an_edited_class_never_reuses_embeddings_or_results(workdir, capsys):
    out, cache = workdir / "out", workdir / "cache"
    module = workdir / "my_encoder.py"
    module.write_text(ENCODER.format(dim=256), encoding="utf-8")
    flags = ("--revision", "v1", "--cache-dir", str(cache))
    assert _run(capsys, "my_encoder:Enc", out, *flags)[0] == 0
    result = out / "my_encoder.Enc" / "v1" / "DemoSTS.json"
    first = json.loads(result.read_text("utf-8"))
    source = first["cmteb"]["model_settings"]["source"]
    assert source.startswith("sha256:") and len(source) == 7 + 16
    assert len(list((cache / LAYOUT).iterdir())) == 1  # the class with a revision is cached

    module.write_text(ENCODER.format(dim=7), encoding="utf-8")  # same name, same --revision
    del sys.modules["my_encoder"]
    code, _, err = _run(capsys, "my_encoder:Enc", out, *flags)
    assert code == 2 and "different model_settings" in one_error_line(err)
    assert _run(capsys, "my_encoder:Enc", out, *flags, "--overwrite")[0] == 0
    second = json.loads(result.read_text("utf-8"))
    assert second["cmteb"]["model_settings"]["source"] != source
    assert second["scores"] != first["scores"]  # computed by the edited code, not read back
    assert len(list((cache / LAYOUT).iterdir())) == 2
