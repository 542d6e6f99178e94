"""Plain builders for test events: `created("L1", "2026-03-02T10:00:00-05:00", source="webinar")`."""

from __future__ import annotations

from typing import Any

_counter = {"n": 0}


def _id(prefix: str) -> str:
    _counter["n"] += 1
    return f"{prefix}-{_counter['n']}"


def ev(type_: str, lead: str, at: str, id: str | None = None, **data: Any) -> dict[str, Any]:
    return {"id": id or _id(type_.split(".")[0]), "type": type_, "lead_id": lead, "at": at, "data": data}


GOOD_FIT = {
    "employees": 500,
    "job_function": "marketing",
    "seniority": "director",
    "industry": "software",
    "country": "US",
}  # 20 + 15 + 15 + 10 + 5 = 65 under the default pact


def created(
    lead: str, at: str, id: str | None = None, source: str = "webinar", **fields: Any
) -> dict[str, Any]:
    data = {"email": f"{lead.lower()}@example.com", "source": source, **fields}
    return ev("lead.created", lead, at, id=id or f"{lead}-c", **data)


def activity(lead: str, at: str, kind: str, id: str | None = None, **data: Any) -> dict[str, Any]:
    return ev("activity", lead, at, id=id, kind=kind, **data)


def touch(
    lead: str, at: str, channel: str = "phone", rep: str = "ana", id: str | None = None, **data: Any
) -> dict[str, Any]:
    return ev("touch", lead, at, id=id, channel=channel, rep=rep, **data)


def disposition(
    lead: str, at: str, outcome: str, reason: str | None = None, id: str | None = None, **data: Any
) -> dict[str, Any]:
    if reason is not None:
        data["reason"] = reason
    return ev("disposition", lead, at, id=id, outcome=outcome, **data)


def stage(lead: str, at: str, name: str, id: str | None = None, **data: Any) -> dict[str, Any]:
    return ev("stage", lead, at, id=id, stage=name, **data)


BANT = {"budget": "yes", "authority": "yes", "need": "yes", "timeline": "Q3"}
