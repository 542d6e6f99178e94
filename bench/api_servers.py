"""The servers of bench/api.py: a real `leadpact serve --no-worker` (or the bare FastAPI endpoint, the
ceiling of this machine and client) on 127.0.0.1 and a free port, started as subprocesses with this
checkout's source first on the path, waited for until `/login` answers, and stopped with SIGTERM at the end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


BARE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI, Request
    app = FastAPI()

    @app.post("/api/events")
    async def events(request: Request) -> dict:
        body = await request.json()
        n = len(body) if isinstance(body, list) else 1
        return {"results": [], "summary": {"stored": n, "duplicate": 0, "waiting": 0, "refused": 0}}

    @app.get("/login")
    async def login() -> dict:
        return {}
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}


def wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server not ready:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def servers(commands: list[tuple[list[str], int]], folder: Path) -> Iterator[list[int]]:
    """Start each (command, port); yield the ports once all answer; SIGTERM them at the end."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        for n, (command, port) in enumerate(commands):
            log = folder / f"server-{port}-{n}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(command, env=env(), stdout=out, stderr=subprocess.STDOUT)
            started.append(process)
            wait_ready(port, process, log)
        yield [port for _, port in commands]
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def leadpact(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "leadpact", *args], env=env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"leadpact {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def serve_cmd(pact: Path, url: str, port: int) -> list[str]:
    return [sys.executable, "-m", "leadpact", "serve", "--no-worker", "--port", str(port),
            "--pact", str(pact), "--db", url]  # fmt: skip


def bare_cmd(folder: Path, port: int) -> list[str]:
    (folder / "bare_app.py").write_text(BARE_APP)
    return [sys.executable, "-m", "uvicorn", "bare_app:app", "--app-dir", str(folder), "--port", str(port),
            "--log-level", "warning", "--no-access-log"]  # fmt: skip
