"""Every `cmteb ...` command shown to users (README, docs/, `--help` examples, the example CI
workflow) parses with the current command line: a renamed or removed flag in the code fails here,
not on a user's machine.
Commands are only parsed (argparse), never run; an inline mention in prose (`cmteb compare`) may
leave out required arguments, a command in a code block may not."""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml

from cmteb.cli import COMMANDS, EXAMPLES, build_parser

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"(?<!`)`((?:cmteb|python -m cmteb\.run) [^`]*)`")
OPERATORS = {"|", "||", "&&", ";", "&"}
REDIRECTS = {">", ">>", "<", ">&"}
PLACEHOLDER = re.compile(r"<[a-z][\w-]*>")  # `cmteb <command> --help`, `--model <folder>`


def _commands_in(script: str) -> list[list[str]]:
    """The argument lists of `cmteb ...` and `python -m cmteb.run ...` calls in a shell snippet
    (line continuations joined, comments, prompts, env prefixes, redirections and pipes removed)."""
    found = []
    for line in script.replace("\\\n", " ").splitlines():
        line = PLACEHOLDER.sub("PLACEHOLDER", line.strip().removeprefix("$ "))
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        try:
            tokens = list(lexer)
        except ValueError:  # not shell (e.g. output shown in the block)
            continue
        command: list[str] = []
        for token in [*tokens, ";"]:
            if token in OPERATORS:
                found.extend(_cmteb_args(command))
                command = []
            else:
                command.append(token)
    return found


def _cmteb_args(words: list[str]) -> list[list[str]]:
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):  # VAR=value prefix
        words = words[1:]
    kept: list[str] = []
    target = False
    for word in words:
        if target:  # the file (or descriptor) a redirection names
            target = False
        elif word in REDIRECTS:
            target = True
            if kept and kept[-1].isdigit():  # the descriptor of `2>`
                kept.pop()
        elif word.strip("[]") not in ("", "..."):  # a synopsis: [optional flags], "..." for more
            kept.append(word.strip("[]"))
    words = kept
    if words[:1] == ["cmteb"] or (words and words[0].endswith("/cmteb")):
        return [] if words[1:2] == ["PLACEHOLDER"] else [words[1:]]
    if len(words) >= 3 and words[0].split("/")[-1].startswith("python") and words[1:3] == ["-m", "cmteb.run"]:
        return [["run", *words[3:]]]
    return []


def _doc_commands() -> list[tuple[str, list[str]]]:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    commands = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(ROOT).as_posix()
        commands += [(where, args) for block in FENCE.findall(text) for args in _commands_in(block)]
        commands += [(f"{where} (inline)", args) for span in INLINE.findall(FENCE.sub("", text))
                     for args in _commands_in(span)]
    workflow = ROOT / ".github" / "workflows" / "cmteb-regression.yml"
    spec = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    env = {key: str(value) for key, value in spec.get("env", {}).items()}
    for job in spec["jobs"].values():
        for step in job["steps"]:
            script = re.sub(r"\$\{\{[^}]*\}\}", "x", step.get("run", ""))
            script = re.sub(r'"?\$([A-Z_]+)"?', lambda m: env.get(m.group(1), "x"), script)
            commands += [(workflow.relative_to(ROOT).as_posix(), args) for args in _commands_in(script)]
    for name, (module, _) in COMMANDS.items():  # the examples under each `--help`
        examples = getattr(importlib.import_module(module), "EXAMPLES", "")
        commands += [(f"cmteb {name} --help", args) for args in _commands_in(examples)]
    commands += [("cmteb --help", args) for args in _commands_in(EXAMPLES)]
    return commands


DOC_COMMANDS = _doc_commands()


def test_the_docs_show_commands_of_every_kind():
    shown = {args[0] for _, args in DOC_COMMANDS if args}
    assert {"run", "download", "list", "models", "leaderboard", "compare", "baseline", "merge"} <= shown


@pytest.mark.parametrize(("where", "args"), DOC_COMMANDS,
                         ids=[f"{w}:{' '.join(a)[:60]}" for w, a in DOC_COMMANDS])
def test_a_documented_command_parses(where, args, capsys):
    try:
        build_parser(args).parse_args(args)
    except SystemExit as stop:  # --help / --version exit 0; a usage error exits 2
        error = capsys.readouterr().err.strip()
        mention = where.endswith("(inline)") and "arguments are required" in error  # names a command
        assert stop.code == 0 or mention, f"{where}: `cmteb {' '.join(args)}` -> {error}"


def test_a_stale_flag_is_found():
    [args] = _commands_in("cmteb run --model hash --no-such-flag 3 | head -1")
    with pytest.raises(SystemExit) as stop:
        build_parser(args).parse_args(args)
    assert stop.value.code == 2
