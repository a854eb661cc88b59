"""Align two sides' per-sample scores (`{split: {key: [values]}}`) for the paired test.

Samples pair up by position, except retrieval's, which pair up by `query_ids`. They describe the
same samples only when every compared split has the same number of samples on both sides, the
same query ids, and equal shared columns (STS `gold`, pair `label`); otherwise there is no
paired test (the task is compared on its main score alone).
"""

from __future__ import annotations

import numpy as np

from cmteb.compare.paired import PairedSamples, Recipe
from cmteb.compare.resultset import Samples

ID_KEY = "query_ids"


def shared_keys(base: Samples | None, cand: Samples | None, splits: tuple[str, ...]) -> set[str]:
    """Sample keys present in every compared split on both sides (empty without samples)."""
    keys: set[str] | None = None
    for side in (base, cand):
        for split in splits:
            have = set((side or {}).get(split) or {})
            keys = have if keys is None else keys & have
    return keys or set()


def _columns(split: dict[str, list], keys: tuple[str, ...], order: list[int] | None) -> np.ndarray:
    columns = [np.asarray(split[k], dtype=np.float64) for k in keys]
    if order is not None:
        columns = [c[order] for c in columns]
    return np.column_stack(columns)


def _order(base: dict[str, list], cand: dict[str, list]) -> tuple[bool, list[int] | None]:
    """(ids match, positions of the baseline's query ids in the candidate or None = as is)."""
    if ID_KEY not in base and ID_KEY not in cand:
        return True, None
    where = {qid: i for i, qid in enumerate(cand.get(ID_KEY, []))}
    ids = base.get(ID_KEY, [])
    if len(where) != len(ids) or set(where) != set(ids):
        return False, None
    return True, [where[qid] for qid in ids]


def paired_samples(
    base: Samples | None, cand: Samples | None, splits: tuple[str, ...], recipe: Recipe
) -> PairedSamples | None:
    """Both sides' `recipe.keys` columns over `splits`, aligned; None when they do not pair."""
    if base is None or cand is None:
        return None
    rows_b, rows_c, fixed, segments, start = [], [], [], [], 0
    for split in splits:
        b, c = base[split], cand[split]
        ids_match, order = _order(b, c)
        wanted = [k for k in (*recipe.keys, recipe.fixed) if k]
        if not ids_match or len({len(side[k]) for side in (b, c) for k in wanted}) != 1:
            return None
        rows_b.append(_columns(b, recipe.keys, None))
        rows_c.append(_columns(c, recipe.keys, order))
        if recipe.fixed:
            shared = _columns(b, (recipe.fixed,), None)[:, 0]
            if not np.allclose(shared, _columns(c, (recipe.fixed,), order)[:, 0], rtol=0, atol=1e-9):
                return None
            fixed.append(shared)
        n = len(rows_b[-1])
        segments.append((start, start + n))
        start += n
    base_rows, cand_rows = np.concatenate(rows_b), np.concatenate(rows_c)
    if start == 0 or not (np.isfinite(base_rows).all() and np.isfinite(cand_rows).all()):
        return None
    return PairedSamples(base_rows, cand_rows, np.concatenate(fixed) if fixed else None,
                         tuple(segments))
