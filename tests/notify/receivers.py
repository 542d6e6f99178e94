"""Real receivers on 127.0.0.1: an HTTP server for webhooks and Slack, an SMTP server for email.

The fixtures are re-exported by this folder's conftest.py."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    path: str
    headers: Message
    body: bytes


@dataclass
class HttpReceiver:
    """Records every POST; answers each path from its script of statuses (then 200), after ``delay`` s."""

    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    scripts: dict[str, list[int]] = field(default_factory=dict)
    always: dict[str, int] = field(default_factory=dict)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def script(self, path: str, *statuses: int) -> None:
        self.scripts[path] = list(statuses)

    def status_for(self, path: str) -> int:
        with self.lock:
            if path in self.always:
                return self.always[path]
            queue = self.scripts.get(path)
            return queue.pop(0) if queue else 200

    def on(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


def _handler(receiver: HttpReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                receiver.requests.append(Received(self.path, self.headers, body))
            status = receiver.status_for(self.path)
            if receiver.delay:
                time.sleep(receiver.delay)
            reply = b"ok" if status < 300 else b"boom"
            self.send_response(status)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver(server=None)  # type: ignore[arg-type]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.server = server
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpReceiver:
    host: str
    port: int
    user: str
    password: str
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def url(self, password: str | None = None) -> str:
        from urllib.parse import quote

        secret = quote(self.password if password is None else password, safe="")
        return f"smtp://{self.user}:{secret}@{self.host}:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        user, password = data.login.decode(), data.password.decode()
        self.logins.append((user, password))
        ok = (user, password) == (self.user, self.password)
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    controller_module = pytest.importorskip("aiosmtpd.controller")
    receiver = SmtpReceiver("127.0.0.1", free_port(), "leadpact", "p@ss word!")
    controller = controller_module.Controller(
        receiver,
        hostname=receiver.host,
        port=receiver.port,
        authenticator=receiver.authenticate,
        auth_require_tls=False,  # AUTH offered in clear (127.0.0.1), not required: no warning
    )
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()
