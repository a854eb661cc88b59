"""Run `cmteb` with a deterministic fault point: `python -m tests.reliability.kill_point
TARGET N ACTION [cmteb arguments...]`.

TARGET is `module:attribute.path` (e.g. `cmteb.models.hash_encoder:HashEncoder.encode`, `os:replace`);
on its N-th call (1-based), before the call runs, ACTION happens:
- `kill`: the process sends itself SIGKILL (no cleanup of any kind runs);
- `pause:FILE`: the process writes FILE and sleeps until the test kills it, so the test can act
  while the run holds its locks mid-task.
The rest of the command line is given to `cmteb` unchanged, so the resumed run can be the plain
command. With a cached model, killing at an encode call leaves the cache chunks stored before it
(see test_kill_resume).
"""

from __future__ import annotations

import functools
import importlib
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _action(spec: str) -> Callable[[], None]:
    if spec == "kill":
        return lambda: os.kill(os.getpid(), signal.SIGKILL)
    if spec.startswith("pause:"):
        marker = Path(spec.removeprefix("pause:"))

        def pause() -> None:
            marker.write_text(str(os.getpid()), encoding="utf-8")
            time.sleep(600)

        return pause
    raise SystemExit(f"unknown action {spec!r}")


def install(target: str, on_call: int, action: Callable[[], None]) -> None:
    """Wrap the attribute `target` so that its `on_call`-th call runs `action` first."""
    module_name, _, attr_path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = attr_path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    original = getattr(owner, name)
    calls = 0

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == on_call:
            action()
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def main(argv: list[str]) -> int:
    target, on_call, action, *cmteb_args = argv
    install(target, int(on_call), _action(action))
    from cmteb.cli import main as cmteb_main

    return cmteb_main(cmteb_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
