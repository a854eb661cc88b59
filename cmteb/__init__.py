"""cmteb: evaluation and benchmarking harness for Chinese text embedding models on C-MTEB.

`cmteb.evaluate(model, tasks=[...])` runs the same pipeline as `cmteb run` (see `cmteb.api`).
"""

from __future__ import annotations

from typing import Any

from cmteb.version import __version__

__all__ = ["__version__", "evaluate"]


def evaluate(*args: Any, **kwargs: Any) -> Any:
    """See `cmteb.api.evaluate` (imported lazily so `import cmteb` stays light)."""
    from cmteb.api import evaluate as _evaluate

    return _evaluate(*args, **kwargs)
