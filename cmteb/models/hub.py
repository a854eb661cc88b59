"""Hugging Face hub models: which commit a name resolves to, and reading one of its small files.

Policy: when the hub is reachable (and `HF_HUB_OFFLINE` is not set) the hub answers; otherwise the
local Hugging Face cache does (`snapshots/<commit>/` folders). `None` means neither knows the
model at that revision, so it cannot be loaded here. A name the hub itself rejects (no such
repository, no such revision) is a `UserError` naming it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from cmteb.data.hub import hub_offline, hub_reachable
from cmteb.errors import UserError

log = logging.getLogger("cmteb")
_COMMIT = re.compile(r"[0-9a-f]{40}")
_HUB_NAME_RE = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


def is_commit(revision: str) -> bool:
    """Whether `revision` is a full commit sha (40 hex digits), not a branch, tag or label."""
    return bool(_COMMIT.fullmatch(revision))


def short_revision(revision: str) -> str:
    """A commit as its first 12 characters (as the hub shows it); any other revision as it is."""
    return revision[:12] if is_commit(revision) else revision


def looks_like_hub_name(name: str) -> bool:
    """`org/model` with the hub's allowed characters."""
    return bool(_HUB_NAME_RE.match(name))


def hub_online() -> bool:
    return not hub_offline() and hub_reachable()


def resolve_commit(name: str, revision: str | None) -> str | None:
    """The commit `name` at `revision` (branch, tag or commit; None = main) points to, or None."""
    if hub_online():
        from huggingface_hub import HfApi
        from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

        try:
            return HfApi().model_info(name, revision=revision).sha
        except RevisionNotFoundError as exc:
            raise UserError(f"model {name!r}: the hub has no revision {revision!r}") from exc
        except RepositoryNotFoundError:
            return None
        except Exception as exc:  # network trouble: fall back to the cache
            log.info("hub lookup of %s failed (%s); using the local cache", name, exc)
    return cached_commit(name, revision)


def cached_commit(name: str, revision: str | None) -> str | None:
    """The commit of the cached snapshot holding `name`'s config.json at `revision`, or None."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(name, "config.json", revision=revision)
    if isinstance(found, str):
        return Path(found).parent.name
    return None


def hub_file(name: str, filename: str, commit: str) -> Path | None:
    """Local path of `filename` in `name` at `commit` (cache first, then a download), or None."""
    from huggingface_hub import hf_hub_download, try_to_load_from_cache

    found = try_to_load_from_cache(name, filename, revision=commit)
    if isinstance(found, str):
        return Path(found)
    if not hub_online():
        return None
    try:
        return Path(hf_hub_download(name, filename, revision=commit))
    except Exception:  # the file does not exist in that repository
        return None

