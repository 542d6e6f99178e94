"""Keys on the command line, and signing in to the dashboard: the session cookie, CSRF, revocation, logout."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from webkit import bearer, cli

from builders import created
from leadpact.services.keys import caller_for_key, revoke_key


def _login_token(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found is not None
    return found.group(1)


def _sign_in(client: TestClient, key: str, next_path: str = "/") -> None:
    token = _login_token(client)
    done = client.post(
        "/login", data={"key": key, "csrf_token": token, "next": next_path}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == next_path


def _page_csrf(client: TestClient) -> str:
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', client.get("/").text)
    assert found is not None
    return found.group(1)


def test_keys_are_printed_once_listed_without_the_key_and_stored_as_a_hash(
    sla: Path, sqlite_url: str
) -> None:
    made = cli("keys", "create", "--role", "sales", "--name", "SDR team", "--pact", str(sla / "pact.yaml"),
               "--db", sqlite_url, "--json")  # fmt: skip
    assert made.exit_code == 0, made.output
    key = json.loads(made.stdout)
    assert set(key) == {"id", "name", "role", "key"} and key["role"] == "sales"
    listed = cli("keys", "list", "--pact", str(sla / "pact.yaml"), "--db", sqlite_url, "--json")
    [entry] = json.loads(listed.stdout)["keys"]
    assert entry["id"] == key["id"] and entry["revoked_at"] is None and key["key"] not in listed.stdout
    from sqlalchemy import create_engine

    with create_engine(sqlite_url).connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(text("SELECT * FROM api_keys")) for v in row)
    assert key["key"] not in stored and key["key"][4:] not in stored
    bad = cli(
        "keys",
        "create",
        "--role",
        "boss",
        "--name",
        "x",
        "--pact",
        str(sla / "pact.yaml"),
        "--db",
        sqlite_url,
    )
    assert bad.exit_code == 2 and "unknown role" in bad.output
    revoked = cli("keys", "revoke", key["id"], "--pact", str(sla / "pact.yaml"), "--db", sqlite_url)
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    missing = cli("keys", "revoke", "k-nope", "--pact", str(sla / "pact.yaml"), "--db", sqlite_url)
    assert missing.exit_code == 1


def test_signing_in_sets_a_signed_httponly_samesite_cookie_and_no_key_in_it(
    client: TestClient, keys: dict[str, str]
) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
    token = _login_token(client)
    done = client.post("/login", data={"key": keys["viewer"], "csrf_token": token}, follow_redirects=False)
    cookie = done.headers["set-cookie"]
    assert "leadpact_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert keys["viewer"] not in cookie
    assert "viewer key" in client.get("/").text
    assert client.get("/api/pact").status_code == 200  # the API takes the session too


def test_a_wrong_key_or_a_missing_token_does_not_sign_in(client: TestClient, keys: dict[str, str]) -> None:
    token = _login_token(client)
    wrong = client.post("/login", data={"key": "lpk_wrong", "csrf_token": token}, follow_redirects=False)
    assert wrong.status_code == 401 and "Unknown or revoked key" in wrong.text
    no_token = client.post("/login", data={"key": keys["admin"]}, follow_redirects=False)
    assert no_token.status_code == 403 and no_token.json()["error"]["code"] == "csrf"
    ingest_only = client.post(
        "/login", data={"key": keys["ingest"], "csrf_token": _login_token(client)}, follow_redirects=False
    )
    assert ingest_only.status_code == 403
    assert "leadpact_session" not in client.cookies


def test_state_changing_requests_with_a_session_need_the_csrf_token(
    client: TestClient, keys: dict[str, str]
) -> None:
    _sign_in(client, keys["marketing"])
    event = created("S1", "2026-03-02T09:00:00-05:00")
    refused = client.post("/api/events", json=event)
    assert refused.status_code == 403 and refused.json()["error"]["field"] == "csrf_token"
    wrong = client.post("/api/events", json=event, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    done = client.post("/api/events", json=event, headers={"X-CSRF-Token": _page_csrf(client)})
    assert done.status_code == 200 and done.json()["summary"]["stored"] == 1


def test_revoking_the_key_ends_its_session_at_once(
    client: TestClient, keys: dict[str, str], web_app: FastAPI
) -> None:
    _sign_in(client, keys["sales"], next_path="/api/pact")
    assert client.get("/api/pact").status_code == 200
    engine = web_app.state.holder.workspace.engine
    caller = caller_for_key(engine, keys["sales"])
    assert caller is not None
    revoke_key(engine, caller.key_id, now=datetime.now(UTC))
    assert client.get("/api/pact").status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_needs_the_token_and_clears_the_cookie(client: TestClient, keys: dict[str, str]) -> None:
    _sign_in(client, keys["admin"])
    assert client.post("/logout", follow_redirects=False).status_code == 403
    out = client.post("/logout", data={"csrf_token": _page_csrf(client)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_forged_or_foreign_next_is_not_followed(client: TestClient, keys: dict[str, str]) -> None:
    token = _login_token(client)
    done = client.post(
        "/login",
        data={"key": keys["admin"], "csrf_token": token, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/"
    client.cookies.clear()
    client.cookies.set("leadpact_session", "eyJrIjoiayIsIm4iOiJuIn0.forged.signature")
    assert client.get("/api/pact").status_code == 401
    assert client.get("/api/pact", headers=bearer(keys["viewer"])).status_code == 200
