"""The reviews' decisions on both stores: recorded, listed, done once, and what a review lists as due, done
and carried (DESIGN.md §10)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from leadpact.domain.periods import parse_period
from leadpact.services.decisions import (
    DecisionDone,
    DecisionNotFound,
    NotYourDecision,
    decide,
    for_review,
    list_decisions,
    mark_done,
)

TZ = "America/New_York"
MON_W10 = datetime(2026, 3, 2, 15, tzinfo=UTC)  # Monday 10:00, the weekly review of W10


def make(engine: Engine, text: str, due: str, team: str | None = "marketing") -> int:
    return int(
        decide(engine, text=text, owner="dana@acme.example", due=due, team=team, now=MON_W10, tz=TZ)["id"]
    )


def test_a_review_lists_decisions_due_done_and_carried(engine: Engine) -> None:
    a = make(engine, "two extra webinars", "2026-03-04")  # due in W10, done in W10
    b = make(engine, "fix the form validation", "2026-03-06")  # due in W10, not done: carried
    c = make(engine, "new persona targeting", "2026-03-20")  # due later, open: carried
    d = make(engine, "done before", "2026-03-03")
    mark_done(engine, a, by="Dana", now=datetime(2026, 3, 4, 20, tzinfo=UTC), tz=TZ)
    mark_done(engine, d, by="Dana", now=datetime(2026, 3, 10, 20, tzinfo=UTC), tz=TZ)  # done in W11
    review = for_review(engine, parse_period("2026-W10", TZ), now=datetime(2026, 3, 16, tzinfo=UTC))
    assert [v["id"] for v in review["due"]] == [d, a, b]
    assert [v["id"] for v in review["done"]] == [a]
    assert [v["id"] for v in review["carried"]] == [d, b, c]  # d was still open at the end of W10
    states = {v["id"]: v["state"] for v in review["carried"]}
    assert states == {d: "overdue", b: "overdue", c: "open"}
    w11 = for_review(engine, parse_period("2026-W11", TZ), now=datetime(2026, 3, 16, tzinfo=UTC))
    assert [v["id"] for v in w11["done"]] == [d] and [v["id"] for v in w11["carried"]] == [b, c]
    # a decision made after the period is not in its review
    later = decide(
        engine,
        text="later",
        owner="li@acme.example",
        due="2026-03-05",
        now=datetime(2026, 3, 20, tzinfo=UTC),
        tz=TZ,
    )
    again = for_review(engine, parse_period("2026-W10", TZ), now=datetime(2026, 3, 21, tzinfo=UTC))
    assert later["id"] not in [v["id"] for v in again["due"] + again["carried"]]


def test_done_once_by_the_owning_team_and_bad_fields_named(engine: Engine) -> None:
    a = make(engine, "two extra webinars", "2026-03-04")
    with pytest.raises(NotYourDecision):
        mark_done(engine, a, by="Sam", now=MON_W10, tz=TZ, team="sales")
    assert mark_done(engine, a, by="Dana", now=MON_W10, tz=TZ, team="marketing")["state"] == "done"
    with pytest.raises(DecisionDone):
        mark_done(engine, a, by="Dana", now=MON_W10, tz=TZ)
    with pytest.raises(DecisionNotFound):
        mark_done(engine, 999, by="Dana", now=MON_W10, tz=TZ)
    for kwargs, field in [
        ({"text": " "}, "text"),
        ({"owner": "dana"}, "owner"),
        ({"due": "next week"}, "due"),
        ({"team": "finance"}, "team"),
    ]:
        args = {"text": "x", "owner": "dana@acme.example", "due": "2026-03-04", "team": None, **kwargs}
        with pytest.raises(ValueError, match=f"^{field}:"):
            decide(engine, **args, now=MON_W10, tz=TZ)  # type: ignore[arg-type]
    assert [v["state"] for v in list_decisions(engine, now=MON_W10, tz=TZ)] == ["done"]
    assert list_decisions(engine, now=MON_W10, tz=TZ, open_only=True) == []
