"""Issue 16 item 5 (compare part): the `compare --report` Markdown renders every name as text.

The report is rendered with markdown-it-py (CommonMark plus GitHub's tables and strikethrough,
as GitHub renders a pull-request comment; installed with mteb, through rich): hostile task,
type, model and folder names must come out as their own text, in their own table cell, with no
link, image, emphasis, HTML or mention.
"""

from __future__ import annotations

import html
import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cmteb.textsafe import md_code, md_text
from tests.compare.helpers import copy_results, edit_json
from tests.hostile.helpers import cli

GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])
ZWSP = "\u200b"
HOSTILE = [
    "x|y", "line\nbreak", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "[click](https://evil.example)", "![pic](https://evil.example/p.png)", "@octocat", "#123",
    "**bold** _it_ ~~gone~~ `code`", "$\\sqrt{x}$", "https://evil.example www.evil.example",
    "a&amp;b &lt;", "back\\slash", "\u202eevil", "tab\there",
]


def _printable(text: str) -> str:
    """What a name must render as: itself, with control and separator characters as spaces."""
    return "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)


def _expected(text: str) -> str:
    """The same in a table cell, which drops the blanks around its text."""
    return _printable(text).strip()


def _cells(rendered: str) -> list[list[str]]:
    """Text of every table body cell, per row (tags dropped, entities decoded, ZWSP removed)."""
    rows = re.findall(r"<tr>(.*?)</tr>", rendered, flags=re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).replace(ZWSP, "").strip()
             for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)] for row in rows]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_renders_as_itself_in_one_table_cell(text):
    rendered = GFM.render(f"| a | b |\n|--|--|\n| {md_text(text)} | {md_code(text, in_table=True)} |\n")
    cells = _cells(rendered)
    in_code = re.findall(r"<code>(.*?)</code>", rendered, flags=re.S)
    assert cells[1][0] == _expected(text), rendered
    assert [html.unescape(c) for c in in_code] == ([_printable(text)] if text else [""]), rendered
    tags = set(re.findall(r"<\s*([a-zA-Z]+)", rendered))
    assert tags <= {"table", "thead", "tbody", "tr", "th", "td", "code"}, rendered


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_renders_as_itself_in_a_sentence(text):
    rendered = GFM.render(f"Only in the candidate: {md_text(text)}.\n")
    body = html.unescape(re.sub(r"</?p>", "", rendered)).replace(ZWSP, "").strip()
    assert body == f"Only in the candidate: {_printable(text)}."
    assert set(re.findall(r"<\s*([a-zA-Z]+)", rendered)) <= {"p"}, rendered
    rendered = GFM.render(f"- key: {md_code(text, in_table=False)} → x\n")
    assert [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", rendered, flags=re.S)] == (
        [_printable(text)] if text else [""]), rendered


def test_mentions_issue_references_and_bare_urls_are_broken():
    raw = md_text("@octocat #12 org/repo#3 https://evil.example www.evil.example mail@evil.example")
    assert not re.search(r"@(?!&#8203;)|#(?!&#8203;|8203;)|://|www\.", raw), raw


def test_the_report_renders_hostile_names_as_text(demo, tmp_path, capsys):
    base = copy_results(demo, tmp_path / "base [x](https://evil.example) @team <b>")
    cand = copy_results(demo, tmp_path / "cand |pipe| #7 ![i](x)")
    names = iter(HOSTILE)
    tasks = {}
    for folder in (base, cand):
        for path in sorted(folder.glob("Demo*.json")):
            if path.name.endswith(".samples.json"):
                continue
            task = tasks.setdefault(path.stem, next(names))

            def change(doc, task=task):
                doc["task_name"] = task
                doc["cmteb"]["task_type"] = "Type <i>|" + task
                doc["cmteb"]["model"]["name"] = "model\n@owner [x](y)"
            edit_json(path, change)
    report = tmp_path / "report.md"
    code_, out, err = cli(capsys, "compare", base, cand, "--report", report)
    assert code_ == 0, err
    raw = report.read_text("utf-8")
    assert raw == out.rstrip("\n") + "\n"
    rendered = GFM.render(raw)
    assert not re.search(r"<(a|img|script|em|del|s|b|i)\b", rendered), rendered
    assert rendered.count("<strong>") == 1  # the overall row's own bold
    cells = _cells(rendered)
    per_task = [row for row in cells if len(row) == 9 and row[0] != "Task"]
    assert sorted(row[0] for row in per_task) == sorted(_expected(t) for t in tasks.values())
    for row in per_task:
        assert row[1] == _expected("Type <i>|" + next(t for t in tasks.values() if _expected(t) == row[0]))
    sides = next(row for row in cells if row and row[0] == "Results")
    assert sides[1:] == [str(base), str(cand)]
    model_row = next(row for row in cells if row and row[0] == "Model")
    assert model_row[1].startswith(_expected("model\n@owner [x](y)"))
    assert all(len(row) in (3, 5, 9) for row in cells), cells
    outside_code = re.sub(r"(`+).*?\1", "", raw.replace("@ ", ""))  # GitHub links nothing in code
    assert "@team" in raw and not re.search(r"@(?!&#8203;)", outside_code), raw


def test_stderr_stays_one_line_per_problem(demo, tmp_path, capsys):
    cand = copy_results(demo, tmp_path / "cand")
    edit_json(cand / "DemoSTS.json", lambda doc: doc.update(task_name="Evil\nInjected: line"))
    code_, _, err = cli(capsys, "compare", cand, demo)
    assert code_ == 2
    assert all(line.startswith("cmteb: error: ") for line in err.strip().splitlines()), err
    assert "task Evil Injected: line: in the baseline but not in the candidate" in err
