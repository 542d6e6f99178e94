"""The human text of notifications."""

from __future__ import annotations

from leadpact.notify.messages import body, one_line, subject

BREACH = {
    "lead_id": "L-1",
    "clock": "first_contact",
    "owner": "ana",
    "due_at": "2026-03-02T19:05:00Z",
    "at": "2026-03-02T19:05:00Z",
    "tier": "high",
    "trigger": "demo_request",
    "timezone": "America/New_York",
}


def test_a_breach_reads_as_one_line_in_the_pacts_time_zone() -> None:
    assert one_line("clock.breached", BREACH) == (
        "Breached: first contact for L-1 (ana) was due 14:05 — high intent, demo_request"
    )


def test_a_warning_says_how_much_of_the_window_is_gone() -> None:
    payload = {**BREACH, "fraction": 0.8, "at": "2026-03-02T19:01:00Z"}
    assert one_line("clock.warning", payload) == (
        "Warning: first contact for L-1 (ana) is due 14:05 (80% of the window gone)"
        " — high intent, demo_request"
    )


def test_without_a_time_zone_times_are_utc_and_a_due_day_other_than_today_shows_its_date() -> None:
    payload = {
        "lead_id": "L-2",
        "clock": "disposition",
        "due_at": "2026-03-04T14:00:00Z",
        "at": "2026-03-02T10:00:00Z",
    }
    assert one_line("clock.breached", payload) == "Breached: disposition for L-2 was due 2026-03-04 14:00 UTC"


def test_a_summary_is_used_as_is_and_other_topics_get_a_plain_title() -> None:
    summary = {"summary": "Sales response  below 90%\n for 4 days"}
    assert one_line("escalation", summary) == "Sales response below 90% for 4 days"
    assert one_line("violation.recorded", {"lead_id": "L-3", "what": "no first touch"}) == (
        "Violation recorded for L-3: no first touch"
    )
    assert one_line("test", {"pact": "Acme SLA"}) == "Test: leadpact can reach this target (Acme SLA)"


def test_an_email_has_a_prefixed_subject_and_every_field_in_its_body() -> None:
    assert subject("clock.breached", BREACH).startswith("[leadpact] Breached:")
    text = body("clock.breached", BREACH, "k-1")
    assert "due_at: 2026-03-02T19:05:00Z (14:05)" in text and "owner: ana" in text
    assert text.rstrip().endswith("Idempotency-Key: k-1")
