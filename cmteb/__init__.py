"""cmteb: evaluation and benchmarking harness for Chinese text embedding models on C-MTEB.

`cmteb.evaluate(model, tasks=[...])` runs the same pipeline as `cmteb run` (see `cmteb.api`).
"""

from __future__ import annotations

# first, before anything slow: a quiet Ctrl-C while a cmteb command imports (see the module)
from cmteb import _startup  # noqa: F401

__version__ = "0.1.0"
__all__ = ["__version__", "evaluate"]


def evaluate(*args, **kwargs):  # unannotated = Any; the typed signature is cmteb.api.evaluate's
    """See `cmteb.api.evaluate` (imported lazily so `import cmteb` stays light)."""
    from cmteb.api import evaluate as _evaluate

    return _evaluate(*args, **kwargs)
