"""The HTTP API under load (issue 13, point 7): `POST /api/events` one event a request and in batches, the
overview page, and ingest-to-client latency over the live stream, on SQLite and PostgreSQL side by side,
with a bare FastAPI endpoint under the same uvicorn as the ceiling of this machine and this client.

    python bench/api.py [--seconds 10] [--clients 32] [--batch 1000] [--db sqlite|pg|both]
                        [--pg-servers 2] [--sse 40] [--overview-leads 0]

Every server is a real `leadpact serve --no-worker` (PostgreSQL: `--pg-servers` processes on one database,
the client spreading requests over them round robin) on 127.0.0.1 and a free port, stopped at the end.
The load comes from one client process: asyncio with a small keep-alive HTTP/1.1 client of its own (a
general client such as httpx costs more CPU a request than the server it measures; on 2 cores the client
shares the machine with the server and the database, which is why the bare endpoint is measured by the
same client: its figure is the most this client and uvicorn can do here).

- single: each request one `lead.created` (a new lead, good fit: scored, some cross the gate and are
  routed) for `--seconds`, `--clients` requests in flight; events/s, p50 and p99 of the request time.
  Every request is durable when answered (the store commits before the summary is sent).
- batch: arrays of `--batch` new leads, `--batch-clients` in flight; events/s.
- overview: `GET /` signed in (the dashboard's overview, the current month), p50/p95 over 30 requests; with
  `--overview-leads N` on the bench/metrics.py store of N leads (built once and kept, SQLite), else on the
  store the load above filled. When the dashboard has no overview page yet, `/api/metrics` is timed instead.
- sse: `--sse` times the wall time from sending a new lead to the `clock` event naming it on an open
  `/api/stream` (p50, p95, max).

Figures only; nothing is asserted. The servers are started and stopped by `api_servers.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from api_servers import bare_cmd, env, free_port, leadpact, serve_cmd, servers
from common import fresh, pg_database

GOOD_FIT = {"employees": 500, "job_function": "marketing", "seniority": "director", "industry": "software"}


# --- a small keep-alive HTTP/1.1 client ------------------------------------------------------------------


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
                      ) -> tuple[int, bytes]:  # fmt: skip
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
        for name, value in (headers or {}).items():
            head += f"{name}: {value}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        chunked = False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value:
                chunked = True
        if not chunked:
            return status, await self.reader.readexactly(length)
        parts = []
        while (size := int((await self.reader.readline()).strip(), 16)) > 0:
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()
        await self.reader.readline()
        return status, b"".join(parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _lead(n: int, tag: str, at: str) -> dict[str, Any]:
    lead = f"{tag}-{n}"
    data = {"email": f"{lead.lower()}@example.com", "source": "webinar", **GOOD_FIT}
    return {"id": f"{lead}-c", "type": "lead.created", "lead_id": lead, "at": at, "data": data}


@dataclass
class Load:
    events: int
    seconds: float
    times: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        return ms(self.times, q)


def ms(seconds: list[float], q: float) -> float:
    """The q-quantile of `seconds`, in milliseconds (nearest rank)."""
    if not seconds:
        return float("nan")
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _load(ports: list[int], key: str, tag: str, seconds: float, clients: int, batch: int) -> Load:
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    counter = iter(range(10**9))
    times: list[float] = []
    errors = 0
    events = 0
    stop_at = time.perf_counter() + seconds

    async def client(n: int) -> None:
        nonlocal errors, events
        conn = Connection(ports[n % len(ports)])
        try:
            while time.perf_counter() < stop_at:
                at = datetime.now(UTC).isoformat()
                items = [_lead(next(counter), tag, at) for _ in range(batch)]
                body = json.dumps(items[0] if batch == 1 else items).encode()
                start = time.perf_counter()
                status, answer = await conn.request("POST", "/api/events", body, auth)
                times.append(time.perf_counter() - start)
                stored = json.loads(answer).get("summary", {}).get("stored", 0) if status == 200 else 0
                if status != 200 or stored != batch:
                    errors += 1
                events += stored
        finally:
            conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return Load(events, time.perf_counter() - began, times, errors)


def run_load(ports: list[int], key: str, tag: str, seconds: float, clients: int, batch: int) -> Load:
    return asyncio.run(_load(ports, key, tag, seconds, clients, batch))


# --- the overview page and the live stream ------------------------------------------------------------


def _signed_in(base: str, key: str) -> Any:
    import httpx

    http = httpx.Client(base_url=base, timeout=60)
    page = http.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    http.post("/login", data={"key": key, "csrf_token": token.group(1) if token else ""})
    return http


def time_overview(base: str, key: str, runs: int = 30, query: str = "") -> tuple[str, list[float]]:
    """GET the overview (`/` + query) `runs` times signed in, the first (cold) included; or /api/metrics
    when the dashboard has no overview."""
    http = _signed_in(base, key)
    try:
        page = http.get("/?month=2000-01", follow_redirects=False)  # a month with nothing: no pack built
        has_overview = page.status_code == 200 and "mql" in page.text.lower()
        target, extra = ("/", {}) if has_overview else ("/api/metrics", {"Authorization": f"Bearer {key}"})
        target += query
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            answer = http.get(target, headers=extra)
            times.append(time.perf_counter() - start)
            if answer.status_code != 200:
                raise SystemExit(f"GET {target}: {answer.status_code} {answer.text[:300]}")
    finally:
        http.close()
    return target, times


def time_sse(base: str, key: str, samples: int, tag: str) -> list[float]:
    """Seconds from sending a new lead until the stream's `clock` event names it."""
    import threading

    import httpx

    auth = {"Authorization": f"Bearer {key}"}
    seen: dict[str, float] = {}
    ready = threading.Event()
    stop = threading.Event()

    def listen() -> None:
        with (
            httpx.Client(base_url=base, timeout=None) as http,
            http.stream("GET", "/api/stream", headers=auth) as s,
        ):
            kind = ""
            for line in s.iter_lines():
                if stop.is_set():
                    return
                if line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and kind == "metrics":
                    ready.set()
                elif line.startswith("data:") and kind == "clock":
                    for lead in json.loads(line[5:]).get("leads", []):
                        seen.setdefault(lead, time.perf_counter())

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    ready.wait(30)
    delays = []
    with httpx.Client(base_url=base, timeout=30) as http:
        for n in range(samples):
            event = _lead(n, tag, datetime.now(UTC).isoformat())
            sent = time.perf_counter()
            http.post("/api/events", json=event, headers=auth)
            deadline = sent + 10
            while event["lead_id"] not in seen and time.perf_counter() < deadline:
                time.sleep(0.005)
            delays.append(seen.get(event["lead_id"], float("inf")) - sent)
            time.sleep(0.1)
    stop.set()
    return delays


def bench_store(leads: int) -> tuple[str, str]:
    """The SQLite store of bench/metrics.py for `leads` leads over 36 months (seed 7) and the month it times
    (the middle of the range). bench/metrics.py runs once first: it builds the store unless a complete one
    is there, and its own timings of that month are printed beside these."""
    from metrics_store import sqlite_url
    from metrics_synth import month_start

    print(f"the {leads:,}-lead bench store, through bench/metrics.py ...", flush=True)
    script = str(Path(__file__).parent / "metrics.py")
    command = [
        sys.executable,
        script,
        "--leads",
        str(leads),
        "--months",
        "36",
        "--db",
        "sqlite",
        "--runs",
        "1",
    ]
    subprocess.run(command, env=env(), check=True)
    return sqlite_url(leads, 36, 7), f"{month_start(18).astimezone(ZoneInfo('America/New_York')):%Y-%m}"


# --- the run -----------------------------------------------------------------------------------------------


def _row(name: str, load: Load) -> str:
    return (f"  {name:<28} {load.rate:>9,.0f} events/s   p50 {load.pct(0.5):6.1f} ms   "
            f"p99 {load.pct(0.99):7.1f} ms   ({load.events:,} events, {load.errors} errors)")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--batch-clients", type=int, default=2, help="batch posts in flight")
    ap.add_argument(
        "--db", choices=("sqlite", "pg", "both", "none"), default="both", help="none: the overview only"
    )
    ap.add_argument("--pg-servers", type=int, default=2)
    ap.add_argument("--sse", type=int, default=40, help="stream latency samples (0: skip)")
    ap.add_argument(
        "--overview-leads", type=int, default=0, help="time the overview on a bench store of N leads"
    )
    args = ap.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="leadpact-bench-api-"))
    leadpact("init", str(folder / "sla"))
    pact = folder / "sla" / "pact.yaml"
    print(f"{os.cpu_count()} cores; {args.clients} requests in flight; {args.seconds:.0f} s a phase; "
          f"batches of {args.batch}", flush=True)  # fmt: skip

    port = free_port()
    with servers([(bare_cmd(folder, port), port)], folder) as ports:
        bare = run_load(ports, "-", "bare", args.seconds, args.clients, 1)
        bare_batch = run_load(ports, "-", "bareb", args.seconds, args.batch_clients, args.batch)
    print("bare FastAPI endpoint (the ceiling):", flush=True)
    print(_row("single event", bare))
    print(_row("batch", bare_batch), flush=True)

    stores = [(kind, 1 if kind == "sqlite" else args.pg_servers) for kind in ("sqlite", "pg")]
    stores = [(kind, n) for kind, n in stores if args.db in (kind, "both")]
    for kind, count in stores:
        url = fresh(
            f"sqlite:///{folder / 'bench.db'}" if kind == "sqlite" else pg_database("leadpact_bench_api")
        )
        key = json.loads(leadpact("keys", "create", "--role", "admin", "--name", "bench", "--json",
                                  "--pact", str(pact), "--db", url))["key"]  # fmt: skip
        commands = []
        for _ in range(count):
            p = free_port()
            commands.append((serve_cmd(pact, url, p), p))
        with servers(commands, folder) as ports:
            single = run_load(ports, key, f"{kind}-s", args.seconds, args.clients, 1)
            batch = run_load(ports, key, f"{kind}-b", args.seconds, args.batch_clients, args.batch)
            base = f"http://127.0.0.1:{ports[0]}"
            target, pages = ("", [])
            if not args.overview_leads or kind != "sqlite":
                target, pages = time_overview(base, key)
            sse = time_sse(base, key, args.sse, f"{kind}-sse") if args.sse else []
        name = "SQLite" if kind == "sqlite" else f"PostgreSQL, {count} serve processes"
        print(f"{name}:")
        print(_row("single event", single) + f"   {single.rate / bare.rate:.0%} of bare")
        print(_row("batch", batch) + f"   {batch.rate / bare_batch.rate:.0%} of bare")
        if pages:
            print(f"  GET {target:<24} p50 {ms(pages, 0.5):6.1f} ms   p95 {ms(pages, 0.95):6.1f} ms")
        if sse:
            print(f"  event -> stream `clock`    p50 {ms(sse, 0.5):6.0f} ms   p95 {ms(sse, 0.95):6.0f} ms   "
                  f"max {ms(sse, 1.0):6.0f} ms")  # fmt: skip
        sys.stdout.flush()

    if args.overview_leads:
        url, month = bench_store(args.overview_leads)
        key = json.loads(leadpact("keys", "create", "--role", "admin", "--name", "bench", "--json",
                                  "--pact", str(pact), "--db", url))["key"]  # fmt: skip
        p = free_port()
        with servers([(serve_cmd(pact, url, p), p)], folder) as ports:
            target, pages = time_overview(f"http://127.0.0.1:{ports[0]}", key, query=f"?month={month}")
        warm = pages[1:]
        print(f"overview on the {args.overview_leads:,}-lead bench store (SQLite): GET {target}")
        print(
            f"  first {pages[0] * 1000:.0f} ms, then p50 {ms(warm, 0.5):.0f} ms, p95 {ms(warm, 0.95):.0f} ms"
        )


if __name__ == "__main__":
    main()
