"""Align two sides' per-sample scores (`{split: {key: [values]}}`) for the paired test.

Samples pair up by position, except retrieval's, which pair up by `query_ids`. The columns a
recipe reads (and `query_ids`) must have one length per split on each side, at least 1
(`column_problem`: otherwise the file is malformed). The two sides describe the same samples only
when every compared split has the same number of samples on both sides, the same query ids, and
equal shared columns (STS `gold`, pair `label`); otherwise `paired_samples` raises `NotPaired`
(the caller decides: an error when both sides record the same data, else main score only).
"""

from __future__ import annotations

import numpy as np

from cmteb.compare.paired import PairedSamples, Recipe
from cmteb.compare.resultset import ID_KEY, Samples


def shared_keys(base: Samples | None, cand: Samples | None, splits: tuple[str, ...]) -> set[str]:
    """Sample keys present in every compared split on both sides (empty without samples)."""
    keys: set[str] | None = None
    for side in (base, cand):
        for split in splits:
            have = set((side or {}).get(split) or {})
            keys = have if keys is None else keys & have
    return keys or set()


class NotPaired(Exception):
    """The two sides' samples do not describe the same samples; `str()` says how."""


def column_problem(side: Samples, splits: tuple[str, ...], recipe: Recipe) -> str | None:
    """Why one side's recipe columns cannot be used: lengths that differ within a split, or none."""
    for split in splits:
        columns = side[split]
        lengths = {k: len(columns[k]) for k in (*recipe.keys, recipe.fixed, ID_KEY) if k in columns}
        if len(set(lengths.values())) > 1:
            listed = ", ".join(f"{k} {n}" for k, n in lengths.items())
            return f"split {split}: per-sample columns of different lengths ({listed})"
        if not any(lengths.values()):
            return f"split {split}: no per-sample values"
    return None


def _columns(split: dict[str, list], keys: tuple[str, ...], order: list[int] | None) -> np.ndarray:
    columns = [np.asarray(split[k], dtype=np.float64) for k in keys]
    if order is not None:
        columns = [c[order] for c in columns]
    return np.column_stack(columns)


def _order(split: str, base: dict[str, list], cand: dict[str, list]) -> list[int] | None:
    """Positions of the baseline's query ids in the candidate, or None = as is (no ids)."""
    if ID_KEY not in base and ID_KEY not in cand:
        return None
    where = {qid: i for i, qid in enumerate(cand.get(ID_KEY, []))}
    ids = base.get(ID_KEY, [])
    if set(where) != set(ids):
        raise NotPaired(f"split {split}: the two sides hold different query ids")
    return [where[qid] for qid in ids]


def paired_samples(
    base: Samples, cand: Samples, splits: tuple[str, ...], recipe: Recipe
) -> PairedSamples:
    """Both sides' `recipe.keys` columns over `splits`, aligned (each side passed
    `column_problem`); NotPaired when they do not describe the same samples."""
    rows_b, rows_c, fixed, segments, start = [], [], [], [], 0
    for split in splits:
        b, c = base[split], cand[split]
        n_b, n_c = len(b[recipe.keys[0]]), len(c[recipe.keys[0]])
        if n_b != n_c:
            raise NotPaired(f"split {split}: {n_b} samples in the baseline, {n_c} in the candidate")
        order = _order(split, b, c)
        rows_b.append(_columns(b, recipe.keys, None))
        rows_c.append(_columns(c, recipe.keys, order))
        if recipe.fixed:
            shared = _columns(b, (recipe.fixed,), None)[:, 0]
            if not np.allclose(shared, _columns(c, (recipe.fixed,), order)[:, 0], rtol=0, atol=1e-9):
                raise NotPaired(f"split {split}: the two sides' {recipe.fixed} values differ")
            fixed.append(shared)
        segments.append((start, start + n_b))
        start += n_b
    return PairedSamples(np.concatenate(rows_b), np.concatenate(rows_c),
                         np.concatenate(fixed) if fixed else None, tuple(segments))
