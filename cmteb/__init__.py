"""cmteb: evaluation and benchmarking harness for Chinese text embedding models on C-MTEB."""

from __future__ import annotations

__version__ = "0.1.0"
