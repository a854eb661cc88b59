"""Names are data (issue 16, item 5): formula injection in the CSV, Markdown and HTML injection,
matplotlib's mathtext on a `$`, and a leaderboard written all or nothing."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmteb.errors import UserError
from cmteb.leaderboard import publish as publish_module
from cmteb.leaderboard.build import build_leaderboard
from cmteb.leaderboard.page import html_text
from cmteb.leaderboard.plots import render_plots
from cmteb.leaderboard.publish import publish
from cmteb.leaderboard.tables import csv_text, markdown_text
from cmteb.textsafe import FORMULA_STARTS, csv_cell, md_code, md_text
from tests.leaderboard.lb_files import cmteb_doc, run_cmteb, write_doc

HOSTILE = ['=HYPERLINK("http://evil.example/","click")', "@SUM(1+1)", "+cmd|' /C calc'!A0",
           "-2+3", "\tTAB", "\rCR", "line\nbreak | pipe", "<script>alert(1)</script>",
           "$x^2$", "price $5 and $6", "_hidden", "**bold** [link](http://x) `code`"]


def write_named(root: Path, names: list[str]) -> None:
    """One cmteb DemoSTS result per name (the name is recorded in the cmteb block; the folders
    are safe, as `cmteb run` makes them)."""
    for i, name in enumerate(names):
        write_doc(root, f"model{i}", "rev", "DemoSTS",
                  cmteb_doc("DemoSTS", {"test": {"cosine_spearman": 0.1 + i / 100}}, model=name))


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    write_named(root, HOSTILE)
    return build_leaderboard([root], "demo", resamples=0)


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(board):
    rows = list(csv.DictReader(io.StringIO(csv_text(board))))
    assert {r["model"] for r in rows} == {csv_cell(n) for n in HOSTILE}
    for row in rows:
        for value in row.values():
            assert not value.startswith(FORMULA_STARTS), value
    formula = next(r for r in rows if "HYPERLINK" in r["model"])
    assert formula["model"] == "'" + HOSTILE[0]


def test_markdown_keeps_every_name_on_its_row_and_shows_no_raw_html(board):
    text = markdown_text(board)
    assert "<script>" not in text and "&lt;script&gt;" in text
    summary = [ln for ln in text.splitlines() if ln.startswith("| ")][: len(HOSTILE) + 1]
    widths = {len(re.split(r"(?<!\\)\|", ln)) for ln in summary}
    assert len(widths) == 1  # no name adds or splits a cell
    assert "\\$x^2\\$" in text and "\\_hidden" in text


def test_html_escapes_names_and_links_only_to_the_web(board):
    page = html_text(board, plots=[], generated="now")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript:" not in page


def test_a_dollar_in_a_name_does_not_crash_the_plots(board):
    plots = render_plots(board)
    assert all(png.startswith(b"\x89PNG") for _, _, png in plots)


def test_the_cli_writes_a_leaderboard_of_hostile_names(tmp_path):
    write_named(tmp_path / "results", HOSTILE)
    out = tmp_path / "lb"
    proc = run_cmteb("leaderboard", "--results", str(tmp_path / "results"), "--benchmark", "demo",
                     "--out", str(out), "--resamples", "0")
    assert proc.returncode == 0, proc.stderr
    assert (out / "plots" / "size.png").is_file() and (out / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lb", "results"]  # no staging left


def test_a_failure_while_rendering_leaves_out_as_it_was(board, tmp_path, monkeypatch):
    out = tmp_path / "lb"
    publish(board, out, generated="first", plots=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(_board):
        raise RuntimeError("matplotlib fell over")

    monkeypatch.setattr("cmteb.leaderboard.plots.render_plots", broken)
    with pytest.raises(RuntimeError):
        publish(board, out, generated="second", plots=True)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lb"]


def test_a_failure_while_writing_leaves_out_as_it_was(board, tmp_path, monkeypatch):
    out = tmp_path / "lb"
    publish(board, out, generated="first", plots=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = publish_module.write_bytes_atomic
    calls = []

    def fail_third(path, data):
        calls.append(path)
        if len(calls) == 3:
            raise publish_module.WriteError(f"cannot write {path}: No space left on device")
        real(path, data)

    monkeypatch.setattr(publish_module, "write_bytes_atomic", fail_third)
    with pytest.raises(UserError, match="No space left"):
        publish(board, out, generated="second", plots=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lb"]
    first_time = tmp_path / "new"
    calls.clear()
    with pytest.raises(UserError):
        publish(board, first_time, generated="x", plots=False)
    assert not first_time.exists()


@given(st.text(max_size=40))
def test_md_text_is_one_literal_line(text):
    out = md_text(text)
    assert "\n" not in out and "\r" not in out and "<" not in out and ">" not in out
    assert not re.search(r"(?<!\\)\|", out)  # every pipe escaped
    assert not re.search(r"(?<!\\)\$", out)


@given(st.text(max_size=40))
def test_md_code_is_one_code_span(text):
    out = md_code(text, in_table=True)
    if not text:  # two backticks would be literal text, not an empty code span
        assert out == "<code></code>"
        return
    fence = re.match(r"`+", out).group()
    assert out.endswith(fence) and "\n" not in out
    assert fence not in out[len(fence):-len(fence)]


@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=False)))
def test_csv_cell_never_starts_a_formula(value):
    out = csv_cell(value)
    if isinstance(value, str):
        assert not out.startswith(FORMULA_STARTS) and out.lstrip("'") == value.lstrip("'") or \
            out == "'" + value
    else:
        assert out == value


def test_json_keeps_names_exactly(board):
    from cmteb.leaderboard.export import leaderboard_dict

    names = {m["model"] for m in json.loads(json.dumps(leaderboard_dict(board)))["models"]}
    assert names == set(HOSTILE)


def test_a_web_link_fact_is_the_one_link_in_the_markdown(tmp_path):
    from markdown_it import MarkdownIt

    links = {"org/good": "https://huggingface.co/org/good_model", "org/pipe": "https://x.example/a|b",
             "org/script": "javascript:alert(1)", "org/html": "https://x.example/<b>bold</b>",
             "org/bidi": "https://x.example/\u202eevil"}
    for i, (model, link) in enumerate(links.items()):
        folder = model.replace("/", "__")
        write_doc(tmp_path, folder, "rev", "DemoSTS",
                  cmteb_doc("DemoSTS", {"test": {"cosine_spearman": 0.1 + i / 100}}, model=model))
        (tmp_path / folder / "rev" / "model_meta.json").write_text(json.dumps({"reference": link}))
    text = markdown_text(build_leaderboard([tmp_path], "demo", resamples=0))
    assert "| <https://huggingface.co/org/good_model> |" in text
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    hrefs = re.findall(r'<a href="([^"]*)"', rendered)
    assert hrefs == ["https://huggingface.co/org/good_model"] * text.count("org/good_model>"), hrefs
    assert "<b>" not in rendered and "javascript:" not in "".join(hrefs)
