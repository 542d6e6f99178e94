"""Helpers of the web tests: settings, keys, requests, and a real `leadpact serve` on a free port (a child
process, stopped at the end)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from typer.testing import CliRunner

from leadpact.cli import app, load_commands
from leadpact.domain.access import ROLES
from leadpact.services.keys import create_key
from leadpact.web.settings import WebSettings

load_commands()
SRC = Path(__file__).resolve().parents[2] / "src"
HUBSPOT_SECRET = "hubspot-client-secret-for-tests"


def settings_for(sla: Path, url: str, **env: str) -> WebSettings:
    return WebSettings.load(
        pact_file=sla / "pact.yaml", db_url=url, env={"LEADPACT_HUBSPOT_SECRET": HUBSPOT_SECRET, **env}
    )


def make_keys(application: FastAPI) -> dict[str, str]:
    engine = application.state.holder.workspace.engine
    return {
        role: create_key(engine, role=role, name=f"{role} key", now=datetime.now(UTC)).key for role in ROLES
    }


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def cli(*args: str) -> Any:
    """Run a leadpact command in-process; its result (exit_code, stdout)."""
    return CliRunner().invoke(app, list(args))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    process: subprocess.Popen[str]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def serve_command(pact: Path, url: str, port: int, *, worker: bool) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "leadpact",
        "serve",
        "--port",
        str(port),
        "--pact",
        str(pact),
        "--db",
        url,
    ]
    return command if worker else [*command, "--no-worker"]


@contextmanager
def live_server(
    pact: Path, url: str, *, worker: bool = False, env: dict[str, str] | None = None, name: str = "serve"
) -> Iterator[Server]:
    """`leadpact serve` on a free port of 127.0.0.1, ready when /login answers; SIGTERM at the end."""
    port = free_port()
    environ = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        "LEADPACT_HUBSPOT_SECRET": HUBSPOT_SECRET,
        **(env or {}),
    }
    log = pact.parent / f"{name}-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            serve_command(pact, url, port, worker=worker),
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise AssertionError(f"serve exited with {process.returncode}:\n{server.output()}")
            try:
                if httpx.get(server.base + "/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"serve did not answer within 90 s:\n{server.output()}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
