"""Against a real `leadpact serve` (uvicorn on a free port): events in, concurrency across clients and
processes, the live stream, a pact applied elsewhere, the worker child, on both stores."""

from __future__ import annotations

import json
import queue
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from webkit import bearer, cli, live_server

from builders import GOOD_FIT, activity, created, touch


def _admin_key(sla: Path, url: str, role: str = "admin") -> str:
    made = cli("keys", "create", "--role", role, "--name", f"live {role}", "--pact", str(sla / "pact.yaml"),
               "--db", url, "--json")  # fmt: skip
    assert made.exit_code == 0, made.output
    key: str = json.loads(made.stdout)["key"]
    return key


def test_a_batch_a_single_event_bad_json_and_limits(sla: Path, store_url: str) -> None:
    key = _admin_key(sla, store_url)
    batch = [
        created("B1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        activity("B1", "2026-03-02T09:30:00-05:00", "demo_request", id="B1-demo"),
        touch("B2", "2026-03-02T10:00:00-05:00", id="B2-t"),  # waits for its lead.created
        {"id": "bad-1", "type": "activity", "lead_id": "B1", "at": "2026-03-02T10:00:00", "data": {}},
    ]
    with live_server(sla / "pact.yaml", store_url) as server, httpx.Client(base_url=server.base) as http:
        done = http.post("/api/events", json=batch, headers=bearer(key))
        assert done.status_code == 200
        doc = done.json()
        assert doc["summary"] == {"stored": 2, "duplicate": 0, "waiting": 1, "refused": 1}
        assert [(r["line"], r["status"]) for r in doc["results"]] == [(3, "waiting"), (4, "refused")]
        assert doc["results"][1]["field"] == "at"
        single = http.post(
            "/api/events", json=touch("B1", "2026-03-02T09:33:00-05:00", id="B1-t"), headers=bearer(key)
        )
        assert single.json() == {
            "results": [],
            "summary": {"stored": 1, "duplicate": 0, "waiting": 0, "refused": 0},
        }
        again = http.post("/api/events", json=batch[:2], headers=bearer(key)).json()
        assert again["summary"]["duplicate"] == 2 and again["summary"]["stored"] == 0
        lead = http.get("/api/leads/B1", headers=bearer(key)).json()
        assert lead["stage"] == "mql" and lead["handoffs"][0]["first_touch_at"] is not None

        broken = http.post("/api/events", content=b'[{"id": "x",\n "type": }]', headers=bearer(key))
        assert broken.status_code == 400
        assert broken.json()["error"]["message"].endswith("at line 2 column 10 (position 22)")
        assert http.post("/api/events", content=b"\xff\xfe", headers=bearer(key)).status_code == 400
        too_many = [touch("B1", "2026-03-02T09:40:00-05:00", id=f"m-{i}") for i in range(10_001)]
        over = http.post("/api/events", json=too_many, headers=bearer(key))
        assert over.status_code == 413 and over.json()["error"]["code"] == "too_many_events"

        def endless() -> Any:
            yield b"["
            for _ in range(20_000):  # 15 MB, never closed
                yield b'{"id": "padding", "type": "touch", "lead_id": "B1", "at": "x", "data": {}}, ' * 10

        huge = http.post("/api/events", content=endless(), headers=bearer(key))
        assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"
        assert http.get("/api/leads/B1", headers=bearer(key)).status_code == 200  # the server is fine


def test_concurrent_posts_through_two_servers_each_get_their_own_summary(sla: Path, store_url: str) -> None:
    key = _admin_key(sla, store_url)
    shared = [created(f"S{i}", "2026-03-03T09:00:00-05:00", **GOOD_FIT) for i in range(5)]

    def batch(client: int) -> list[dict[str, Any]]:
        own = []
        for i in range(4):
            lead = f"C{client}-{i}"
            own.append(created(lead, "2026-03-03T09:00:00-05:00", **GOOD_FIT))
            own.append(activity(lead, "2026-03-03T09:10:00-05:00", "demo_request", id=f"{lead}-demo"))
        return own + shared

    pact = sla / "pact.yaml"
    with live_server(pact, store_url, name="a") as one, live_server(pact, store_url, name="b") as two:
        bases = [one.base, two.base]

        def post(client: int) -> dict[str, Any]:
            with httpx.Client(base_url=bases[client % 2], timeout=120) as http:
                response = http.post("/api/events", json=batch(client), headers=bearer(key))
                assert response.status_code == 200, response.text
                return dict(response.json()["summary"])

        with ThreadPoolExecutor(8) as pool:
            summaries = list(pool.map(post, range(8)))
        with httpx.Client(base_url=one.base) as http:
            queue_items = http.get("/api/queue", params={"limit": 1000}, headers=bearer(key)).json()["items"]
            routed = http.get(
                "/api/routing/fairness", params={"period": "2026-03"}, headers=bearer(key)
            ).json()
    for summary in summaries:
        assert (
            summary["stored"] + summary["duplicate"] == 13 and summary["refused"] == summary["waiting"] == 0
        )
        assert summary["stored"] >= 8  # its own events are stored by it
    assert sum(s["stored"] for s in summaries) == 8 * 8 + 5
    received = sum(rep["received"] for rep in routed["reps"].values())
    assert received + len(queue_items) == 32  # every handoff routed (or queued) once


def _read_stream(
    base: str, key: str, into: queue.Queue[tuple[float, str, dict[str, Any]]], stop: threading.Event
) -> None:
    with httpx.stream("GET", base + "/api/stream", headers=bearer(key), timeout=None) as response:
        event = None
        for line in response.iter_lines():
            if stop.is_set():
                return
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event is not None:
                into.put((time.monotonic(), event, json.loads(line.removeprefix("data: "))))


def _wait_for(
    into: queue.Queue[tuple[float, str, dict[str, Any]]], event: str, test: Any, timeout: float
) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            at, name, data = into.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if name == event and test(data):
            return at
    raise AssertionError(f"no {event} event within {timeout} s")


def test_the_stream_tells_of_an_ingest_through_another_server_within_2_seconds(
    sla: Path, store_url: str
) -> None:
    key = _admin_key(sla, store_url)
    pact = sla / "pact.yaml"
    got: queue.Queue[tuple[float, str, dict[str, Any]]] = queue.Queue()
    stop = threading.Event()
    with (
        live_server(pact, store_url, name="reader") as reader,
        live_server(pact, store_url, name="writer") as writer,
    ):
        thread = threading.Thread(target=_read_stream, args=(reader.base, key, got, stop), daemon=True)
        thread.start()
        first = _wait_for(got, "metrics", lambda d: d["full"], 20)
        assert first
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
        events = [
            created("LIVE-1", now, **GOOD_FIT),
            activity("LIVE-1", now, "demo_request", id="LIVE-1-demo"),
        ]
        sent = time.monotonic()
        assert httpx.post(writer.base + "/api/events", json=events, headers=bearer(key)).status_code == 200
        clock_at = _wait_for(got, "clock", lambda d: "LIVE-1" in d["leads"], 5)
        metrics_at = _wait_for(got, "metrics", lambda d: "mql_count" in d["changed"], 5)
        stop.set()
    assert clock_at - sent < 2.0 and metrics_at - sent < 2.0


def test_a_pact_applied_elsewhere_is_in_force_on_a_running_server(sla: Path, store_url: str) -> None:
    key = _admin_key(sla, store_url)
    pact = sla / "pact.yaml"
    with live_server(pact, store_url) as server:
        before = httpx.get(server.base + "/api/pact", headers=bearer(key)).json()
        pact.write_text(pact.read_text().replace("name: Acme marketing–sales SLA", "name: Acme SLA v2"))
        assert "Acme SLA v2" in pact.read_text()
        file_differs = httpx.get(server.base + "/api/pact", headers=bearer(key)).json()
        assert file_differs["version"] == before["version"]  # the file alone changes nothing
        applied = cli("pact", "apply", "--pact", str(pact), "--db", store_url)
        assert applied.exit_code == 0, applied.output
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            after = httpx.get(server.base + "/api/pact", headers=bearer(key)).json()
            if after["version"] != before["version"]:
                break
            time.sleep(0.2)
    assert after["name"] == "Acme SLA v2" and after["in_force_from"] is not None and after["versions"] == 2


def _worker_pid(server: Any) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"worker started \(pid (\d+)\)", server.output())
        if found:
            return int(found.group(1))
        time.sleep(0.2)
    raise AssertionError(server.output())


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_serve_runs_one_worker_on_sqlite_and_stops_it_when_it_stops(
    sla: Path, sqlite_url: str, stop_with: signal.Signals
) -> None:
    pact = sla / "pact.yaml"
    with live_server(pact, sqlite_url, worker=True, name="first") as first:
        pid = _worker_pid(first)
        assert _alive(pid)
        with live_server(pact, sqlite_url, worker=True, name="second") as second:
            deadline = time.monotonic() + 10
            while "serving without one" not in second.output() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert "serving without one" in second.output()
            assert "worker started" not in second.output()
        first.process.send_signal(stop_with)
        first.process.wait(30)
        deadline = time.monotonic() + 15
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid), first.output()


def test_text_no_store_can_hold_is_refused_never_a_server_error(sla: Path, store_url: str) -> None:
    key = _admin_key(sla, store_url)
    nul = b'{"id": "n\\u0000", "type": "touch", "lead_id": "L", "at": "2026-03-02T10:00:00Z", "data": {}}'
    lone = b'[{"id": "s1", "type": "touch", "lead_id": "L", "at": "2026-03-02T10:00:00Z", '
    lone += b'"data": {"note": "\\ud800"}}]'
    with live_server(sla / "pact.yaml", store_url) as server, httpx.Client(base_url=server.base) as http:
        for body, field in ((nul, "id"), (lone, "data.note")):
            doc = http.post("/api/events", content=body, headers=bearer(key)).json()
            assert doc["summary"]["refused"] == 1 and doc["results"][0]["field"] == field
        for path in (
            "/api/leads/a%00b",
            "/api/clocks?rep=%00",
            "/api/metrics?period=%00",
            "/api/leads/x?as_of=%00",
            "/leads/a%00b",  # a dashboard page, as the API
            "/leads?id=a%00b",
        ):
            response = http.get(path, headers=bearer(key))
            assert response.status_code == 422 and response.json()["error"]["field"], path
