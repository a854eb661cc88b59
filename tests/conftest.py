"""Shared fixtures: tiny task specs and a deterministic fake encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cmteb.tasks.spec import TaskSpec

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def make_spec(task_type: str, name: str | None = None, **extra) -> TaskSpec:
    """A minimal valid TaskSpec of `task_type` (local-only dataset)."""
    main = {"Retrieval": "ndcg_at_10", "Reranking": "map", "STS": "cosine_spearman",
            "PairClassification": "cosine_ap", "Classification": "accuracy",
            "Clustering": "v_measure"}[task_type]
    return TaskSpec.model_validate({
        "name": name or f"Tiny{task_type}", "type": task_type, "description": "tiny test task",
        "dataset": {"local": "data"}, "splits": {"cmteb": ["test"], "mteb": ["test"]},
        "main_score": {"cmteb": main, "mteb": main}, **extra,
    })


class RecordingEncoder:
    """Deterministic fake: records every (role, task, text) it receives; seeded vectors per text."""

    def __init__(self, dim: int = 8) -> None:
        self.dim = dim
        self.calls: list[tuple[str, str, list[str]]] = []

    def encode(self, texts, *, role, task, batch_size):
        self.calls.append((role, task.name, list(texts)))
        rows = []
        for t in texts:
            seed = int.from_bytes(t.encode("utf-8")[:8].ljust(8, b"\0"), "little") ^ len(t)
            rows.append(np.random.default_rng(seed % (2**32)).standard_normal(self.dim))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)


@pytest.fixture(autouse=True, scope="session")
def _private_embedding_cache(tmp_path_factory):
    """Tests never read or write the user's embedding cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CMTEB_CACHE_DIR", str(tmp_path_factory.mktemp("embedding-cache")))
        yield


@pytest.fixture
def recording_encoder() -> RecordingEncoder:
    return RecordingEncoder()


@pytest.fixture
def shared_data() -> Path:
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip("../shared/data is not available on this machine")
    return path
