"""`POST /hooks/hubspot`, signed by HubSpot's own helper (`hubspot.utils.signature`), never by ours."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hubspot.utils.signature import Signature
from webkit import HUBSPOT_SECRET, bearer, live_server

from leadpact.importers import hubspot as mapping

MS = 1_772_460_000_000  # 2026-03-02T14:00:00Z


def signed(uri: str, body: str, *, secret: str = HUBSPOT_SECRET, skew_ms: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time() * 1000) + skew_ms)
    signature = Signature.get_signature(
        secret, body, signature_version="v3", http_uri=uri, http_method="POST", timestamp=timestamp
    )
    return {
        "X-HubSpot-Signature-v3": signature,
        "X-HubSpot-Request-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


def creation(event_id: int, object_id: int, at: int = MS) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "subscriptionType": "contact.creation",
        "objectId": object_id,
        "occurredAt": at,
        "portalId": 62515,
        "attemptNumber": 0,
    }


def change(event_id: int, object_id: int, name: str, value: Any, at: int = MS + 1000) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "subscriptionType": "contact.propertyChange",
        "objectId": object_id,
        "propertyName": name,
        "propertyValue": value,
        "occurredAt": at,
        "portalId": 62515,
    }


def post(client: TestClient, items: list[dict[str, Any]], **sign: Any) -> Any:
    body = json.dumps(items)
    return client.post(
        "/hooks/hubspot", content=body, headers=signed("http://testserver/hooks/hubspot", body, **sign)
    )


def test_a_contact_becomes_a_lead_once_email_and_source_are_known(
    client: TestClient, keys: dict[str, str]
) -> None:
    first = post(client, [creation(1, 501), change(2, 501, "firstname", "Ada")])
    assert first.status_code == 200, first.text
    doc = first.json()
    waiting = [r for r in doc["results"] if r["id"] == "hs-501-created"]
    assert waiting and waiting[0]["status"] == "waiting" and "email and source" in waiting[0]["reason"]
    assert waiting[0]["line"] == 1
    later = post(
        client,
        [change(3, 501, "email", "ada@example.com"), change(4, 501, "hs_analytics_source", "PAID_SEARCH")],
    )
    assert later.json()["summary"]["refused"] == 0, later.text
    lead = client.get("/api/leads/hs-501", headers=bearer(keys["viewer"])).json()
    assert lead["source"] == "paid_search"
    created = next(e for e in lead["timeline"] if e["type"] == "lead.created")
    assert created["id"] == "hs-501-created" and created["at"] == "2026-03-02T14:00:00Z"
    assert created["data"]["email"] == "ada@example.com"
    names = [e["data"].get("first_name") for e in lead["timeline"] if e["type"] == "lead.updated"]
    assert "Ada" in names


def test_a_redelivery_stores_nothing_new(client: TestClient) -> None:
    delivery = [
        creation(10, 600),
        change(11, 600, "email", "b@example.com"),
        change(12, 600, "hs_analytics_source", "REFERRAL"),
        change(13, 600, "jobtitle", "VP Marketing"),
        change(14, 600, "hs_lifecyclestage_salesqualifiedlead_date", str(MS)),
    ]
    first = post(client, delivery).json()
    assert (
        first["summary"]["stored"] == 3
    )  # lead.created, the title; the SQL date is judged (refused: no SAL)
    sql = next(r for r in first["results"] if r["line"] == 5)
    assert sql["status"] == "refused"
    again = post(client, delivery).json()
    assert again["summary"]["stored"] == 0 and again["summary"]["duplicate"] == 3


def test_what_cannot_be_mapped_is_refused_inside_the_document(client: TestClient) -> None:
    doc = post(
        client,
        [
            creation(20, 700),
            change(21, 700, "email", "c@example.com"),
            change(22, 700, "hs_analytics_source", "OFFLINE"),
            change(23, 700, "hs_lifecyclestage_marketingqualifiedlead_date", str(MS)),
            change(24, 700, "favourite_colour", "green"),
            {"eventId": 25, "subscriptionType": "contact.privacyDeletion", "objectId": 700, "occurredAt": MS},
            {"subscriptionType": "contact.creation"},
            "not an object",
        ],
    ).json()
    by_line = {r["line"]: r for r in doc["results"]}
    made = by_line[1]  # the lead.created the delivery made answers its creation's line
    assert made["id"] == "hs-700-created" and made["status"] == "refused" and "'offline'" in made["reason"]
    assert "MQL" in by_line[4]["reason"] and by_line[5]["field"] == "propertyName"
    assert "leadpact erase" in by_line[6]["reason"]
    assert by_line[7]["field"] == "eventId" and by_line[8]["field"] == "(event)"
    fixed = post(client, [change(26, 700, "hs_analytics_source", "webinar")]).json()
    assert fixed["summary"]["stored"] >= 1  # made again from what is known now


@pytest.mark.parametrize("skew_ms", [-6 * 60 * 1000, 6 * 60 * 1000])
def test_a_timestamp_five_minutes_off_either_way_is_401(client: TestClient, skew_ms: int) -> None:
    response = post(client, [creation(30, 800)], skew_ms=skew_ms)
    assert response.status_code == 401 and response.json()["error"]["code"] == "signature"


def test_a_wrong_secret_a_changed_body_or_no_signature_is_401(client: TestClient) -> None:
    assert post(client, [creation(31, 801)], secret="another-secret").status_code == 401
    body = json.dumps([creation(32, 802)])
    headers = signed("http://testserver/hooks/hubspot", body)
    assert (
        client.post("/hooks/hubspot", content=body.replace("802", "803"), headers=headers).status_code == 401
    )
    assert client.post("/hooks/hubspot", content=body).status_code == 401
    response = client.post("/hooks/hubspot", content=body, headers=headers)
    assert response.status_code == 200
    assert HUBSPOT_SECRET not in response.text


def test_the_mapping_is_one_for_both_doors() -> None:
    for header, prop in (
        ("Email", "email"),
        ("Job Title", "jobtitle"),
        ("Original Source", "hs_analytics_source"),
        ("Became a Sales Qualified Lead Date", "hs_lifecyclestage_salesqualifiedlead_date"),
        ("Contact owner", "hubspot_owner_id"),
        ("Record ID", "hs_object_id"),
    ):
        assert mapping.field_of_header(header) == mapping.PROPERTIES[prop]
    assert mapping.pact_word("Organic Search") == "organic_search" == mapping.pact_word("ORGANIC_SEARCH")
    assert mapping.instant_of("2026-03-02", "America/New_York").isoformat() == "2026-03-02T17:00:00+00:00"


def test_a_real_server_behind_a_proxy_verifies_the_public_uri(sla: Path, sqlite_url: str) -> None:
    public = "https://leadpact.example.com"
    with live_server(sla / "pact.yaml", sqlite_url, env={"LEADPACT_PUBLIC_URL": public}) as server:
        body = json.dumps(
            [
                creation(40, 900),
                change(41, 900, "email", "d@example.com"),
                change(42, 900, "hs_analytics_source", "WEBINAR"),
            ]
        )
        ok = httpx.post(
            server.base + "/hooks/hubspot?x=1",
            content=body,
            headers=signed(public + "/hooks/hubspot?x=1", body),
        )
        assert ok.status_code == 200 and ok.json()["summary"]["stored"] == 2  # lead.created, the email
        direct = httpx.post(
            server.base + "/hooks/hubspot", content=body, headers=signed(server.base + "/hooks/hubspot", body)
        )
        assert direct.status_code == 401
