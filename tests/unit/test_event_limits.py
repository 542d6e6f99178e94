"""The limits of DESIGN.md §2, on parse_event alone (no store, no clock but the one passed in): each value at
its limit is read, one past it is refused naming its field, and nothing raises but EventError."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from builders import GOOD_FIT, activity, created, stage, touch
from leadpact.domain.event_limits import MAX_EMAIL, MAX_NUMBER, MAX_SHORT, MAX_TEXT
from leadpact.domain.events import Event, EventError, Vocabulary, parse_event

VOCAB = Vocabulary(
    activity_kinds=frozenset({"demo_request", "page_view"}),
    sources=frozenset({"webinar"}),
    reasons=frozenset({"wrong_industry"}),
)
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def read(raw: Any, vocab: Vocabulary = VOCAB, now: datetime | None = NOW) -> Event:
    return parse_event(raw, vocab, now=now)


def refusal(raw: Any, vocab: Vocabulary = VOCAB, now: datetime | None = NOW) -> tuple[str, str]:
    with pytest.raises(EventError) as info:
        read(raw, vocab, now)
    return info.value.field, info.value.reason


def with_data(event: dict[str, Any], **data: Any) -> dict[str, Any]:
    return {**event, "data": {**event["data"], **data}}


LEAD = created("L1", "2026-03-02T09:00:00Z", **GOOD_FIT)
TOUCH = touch("L1", "2026-03-02T10:00:00Z", id="t1")


@pytest.mark.parametrize(
    ("event", "field", "limit"),
    [
        (TOUCH, "id", MAX_SHORT),
        (TOUCH, "lead_id", MAX_SHORT),
        (TOUCH, "data.rep", MAX_SHORT),
        (TOUCH, "data.note", MAX_TEXT),
        (activity("L1", "2026-03-02T10:00:00Z", "page_view"), "data.asset", MAX_TEXT),
        (activity("L1", "2026-03-02T10:00:00Z", "page_view"), "data.campaign", MAX_SHORT),
        (LEAD, "data.company", MAX_SHORT),
        (LEAD, "data.attributes.notes", MAX_TEXT),
        (stage("L1", "2026-03-02T10:00:00Z", "sql"), "data.need", MAX_TEXT),
    ],
)
def test_each_text_is_read_at_its_limit_and_refused_one_character_past_it(
    event: dict[str, Any], field: str, limit: int
) -> None:
    def put(length: int) -> dict[str, Any]:
        value = "é" * length
        if field.startswith("data.attributes."):
            return with_data(event, attributes={field.rsplit(".", 1)[1]: value})
        if field.startswith("data."):
            return with_data(event, **{field.removeprefix("data."): value})
        return {**event, field: value}

    read(put(limit))
    assert refusal(put(limit + 1)) == (field, f"is {limit + 1:,} characters long; at most {limit:,}")


def test_an_email_is_read_up_to_320_characters_and_its_domain_up_to_200() -> None:
    local, domain = "a" * (MAX_EMAIL - 1 - 200), "d" * 192 + ".example"
    read(with_data(LEAD, email=f"{local}@{domain}"))
    assert refusal(with_data(LEAD, email=f"{local}x@{domain}")) == (
        "data.email",
        f"is {MAX_EMAIL + 1} characters long; at most {MAX_EMAIL}",
    )
    assert refusal(with_data(LEAD, email=f"a@{'d' * 201}")) == (
        "data.email",
        "its domain is longer than 200 characters",
    )


@pytest.mark.parametrize(
    ("value", "field", "reason"),
    [
        (MAX_NUMBER + 1, "data.employees", "is out of range: numbers are within ±10^15"),
        (-(10**4000), "data.employees", "is out of range: numbers are within ±10^15"),
        (float("inf"), "data.annual_revenue", "must be a finite number"),
        (float("nan"), "data.annual_revenue", "must be a finite number"),
        ("1e400", "data.annual_revenue", "must be a finite number"),  # as CSV cells arrive: text
        ("9" * 20, "data.employees", "is out of range: numbers are within ±10^15"),
        ({"x": [1, {"y": float("-inf")}]}, "data.attributes.x[1].y", "must be a finite number"),
    ],
)
def test_numbers_are_finite_and_within_ten_to_the_fifteen_anywhere(
    value: Any, field: str, reason: str
) -> None:
    if field.startswith("data.attributes"):
        assert refusal(with_data(LEAD, attributes=value)) == (field, reason)
    else:
        assert refusal(with_data(LEAD, **{field.removeprefix("data."): value})) == (field, reason)


def test_numbers_at_the_limit_are_read_exactly() -> None:
    event = read(with_data(LEAD, employees=MAX_NUMBER, annual_revenue=-MAX_NUMBER, attributes={"x": 1e15}))
    assert (event.data["employees"], event.data["annual_revenue"]) == (MAX_NUMBER, -MAX_NUMBER)
    opportunity = read(stage("L1", "2026-03-02T10:00:00Z", "opportunity", amount=float(MAX_NUMBER)))
    assert opportunity.data["amount"] == MAX_NUMBER


@pytest.mark.parametrize(
    ("at", "reason"),
    [
        ("1899-12-31T23:59:59Z", '"1899-12-31T23:59:59Z" is before 1900'),
        ("1900-01-01T04:59:59+05:00", '"1900-01-01T04:59:59+05:00" is before 1900'),
        ("0001-01-01T00:00:00+05:00", '"0001-01-01T00:00:00+05:00" is before 1900'),  # past datetime's edge
        ("9999-12-31T23:59:59-05:00", '"9999-12-31T23:59:59-05:00" is after 2200'),
        ("2200-01-01T00:00:01Z", '"2200-01-01T00:00:01Z" is after 2200'),
    ],
)
def test_times_are_between_1900_and_2200(at: str, reason: str) -> None:
    assert refusal({**TOUCH, "at": at}, now=None) == ("at", reason)


def test_the_first_and_last_instants_are_read() -> None:
    assert read({**TOUCH, "at": "1900-01-01T00:00:00Z"}).at == datetime(1900, 1, 1, tzinfo=UTC)
    assert read({**TOUCH, "at": "2200-01-01T00:00:00Z"}, now=None).at == datetime(2200, 1, 1, tzinfo=UTC)
    assert refusal(stage("L1", "2026-03-02T10:00:00Z", "opportunity", close_date="1850-01-01")) == (
        "data.close_date",
        '"1850-01-01" is before 1900',
    )


def test_an_event_past_the_future_tolerance_is_refused_as_in_the_future() -> None:
    at = NOW + timedelta(minutes=15)
    read({**TOUCH, "at": at.isoformat()})  # exactly at the tolerance
    field, reason = refusal({**TOUCH, "at": (at + timedelta(seconds=1)).isoformat()})
    assert field == "at"
    assert reason == (
        "2026-04-01T12:15:01Z is in the future: 15m ahead of the clock (2026-04-01T12:00:00Z); "
        "at most 15m is allowed (ingest.future_tolerance)"
    )
    day = refusal({**TOUCH, "at": (NOW + timedelta(days=1)).isoformat()})[1]
    assert "in the future: 24h ahead" in day
    hour = Vocabulary(VOCAB.activity_kinds, VOCAB.sources, VOCAB.reasons, future_tolerance=timedelta(hours=1))
    read({**TOUCH, "at": (NOW + timedelta(minutes=59)).isoformat()}, hour)
    read({**TOUCH, "at": "2199-01-01T00:00:00Z"}, now=None)  # no clock: a dry run over a file


@pytest.mark.parametrize(
    ("event", "field", "reason"),
    [
        ({**TOUCH, "id": "t\x001"}, "id", "holds a NUL character at character 2"),
        (
            with_data(TOUCH, note="a\ud800b"),
            "data.note",
            "holds a lone surrogate (\\ud800) at character 2: not text",
        ),
        (with_data(LEAD, attributes={"x": ["ok", "b\x00"]}), "data.attributes.x[1]", "holds a NUL character"),
        (
            with_data(LEAD, attributes={"a\x00": 1}),
            "data.attributes",
            'the key "a\\x00" holds a character that cannot be printed',
        ),
        ({**TOUCH, "x\udcff": 1}, "(event)", 'the key "x\\udcff" holds a character that cannot'),
        (with_data(TOUCH, **{"k" * 201: 1}), "data", "the key"),
    ],
)
def test_no_nul_lone_surrogate_or_control_character_in_any_key_or_value(
    event: dict[str, Any], field: str, reason: str
) -> None:
    got_field, got_reason = refusal(event)
    assert got_field == field and got_reason.startswith(reason)
    got_field.encode(), got_reason.encode()  # the refusal itself prints anywhere: no surrogate in it


def test_attributes_nest_at_most_five_deep_and_hold_at_most_200_keys_and_items() -> None:
    def deep(levels: int) -> Any:
        """`levels` objects, one inside the other; the outermost is `attributes` itself."""
        value: Any = "x"
        for _ in range(levels):
            value = {"k": value}
        return value

    read(with_data(LEAD, attributes=deep(5)))
    field, reason = refusal(with_data(LEAD, attributes=deep(6)))
    assert field == "data.attributes.k.k.k.k.k" and "nested too deep" in reason
    assert refusal(with_data(LEAD, attributes={"a": [[[[[1]]]]]}))[0] == "data.attributes.a[0][0][0][0]"
    read(with_data(LEAD, attributes={f"k{i}": i for i in range(200)}))
    read(with_data(LEAD, attributes={"list": list(range(199))}))
    assert refusal(with_data(LEAD, attributes={"list": list(range(200))})) == (
        "data.attributes",
        "holds more than 200 keys and items in all",
    )


def test_a_refusal_shows_the_id_only_when_it_is_printable_and_within_limits() -> None:
    with pytest.raises(EventError) as info:
        read({**TOUCH, "at": "soon"})
    assert info.value.event_id == "t1"
    for bad in ("x" * 201, "a\x00", "a\ud800", 17, None):
        with pytest.raises(EventError) as info:
            read({**TOUCH, "id": bad, "at": "soon"})
        assert info.value.event_id is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ([], "must be a JSON object, not an array"),
        ("x", "must be a JSON object, not a string"),
        (None, "null"),
    ],
)
def test_what_is_not_an_object_is_refused_as_the_event(raw: Any, reason: str) -> None:
    field, got = refusal(raw)
    assert field == "(event)" and reason in got


def test_an_empty_key_is_named_so_it_can_be_seen() -> None:
    assert refusal({**TOUCH, "": 1}) == ('""', "unknown field")
    assert refusal(with_data(TOUCH, **{" ": 1}))[0] == 'data." "'
