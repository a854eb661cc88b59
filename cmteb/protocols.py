"""The two scoring protocols a run can follow, stated once.

`cmteb` reproduces the published BGE / C-MTEB tables (FlagEmbedding's 2023 scripts on mteb 1.1);
`mteb` follows the pinned mteb 2.x task definitions (the `MTEB(cmn, v1)` leaderboard). Evaluators
consult these flags where the procedures differ; everything else is shared. Classification
undersampling and k-means seeding are the same in both (mteb 1.1 re-seeded numpy with 42 before
every experiment, which is what mteb 2 does explicitly; tests/evaluators prove it).
"""

from __future__ import annotations

from dataclasses import dataclass

from cmteb.errors import UserError, did_you_mean


@dataclass(frozen=True)
class Protocol:
    name: str
    description: str
    # Retrieval: drop hits whose doc id equals the query id before scoring (mteb 1.x default).
    ignore_identical_ids: bool


PROTOCOLS: dict[str, Protocol] = {
    "cmteb": Protocol(
        name="cmteb",
        description="published C-MTEB/BGE tables: FlagEmbedding 2023 scripts on mteb 1.1",
        ignore_identical_ids=True,
    ),
    "mteb": Protocol(
        name="mteb",
        description="the pinned mteb 2.x task definitions (MTEB(cmn, v1) leaderboard)",
        ignore_identical_ids=False,
    ),
}


def get_protocol(name: str) -> Protocol:
    if name not in PROTOCOLS:
        raise UserError(f"unknown protocol {name!r}" + did_you_mean(name, PROTOCOLS))
    return PROTOCOLS[name]


def other_protocol(name: str) -> Protocol:
    return next(p for p in PROTOCOLS.values() if p.name != name)
