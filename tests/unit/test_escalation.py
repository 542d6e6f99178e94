"""The escalation rules, pure (DESIGN.md §10): runs of misses, thresholds, due times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from leadpact.domain.durations import parse_duration
from leadpact.domain.escalation import (
    Missed,
    business_days_back,
    due_after,
    next_weekly,
    rate_missed,
    state,
    to_open,
    volume_missed,
    week_of,
)


def flags(pattern: str) -> list[Missed]:
    """'xx.x' -> day 1 missed, day 2 missed, day 3 met, day 4 missed."""
    return [Missed(f"d{i + 1}", c == "x") for i, c in enumerate(pattern)]


@pytest.mark.parametrize(
    ("pattern", "n", "opens"),
    [
        ("xxx", 4, []),  # three below, four needed
        ("xxxx", 4, ["d4"]),
        ("xxx.xxxx", 4, ["d8"]),  # a met day breaks the run
        ("xxxxxxxx", 4, ["d4", "d8"]),  # a run of 2n opens twice
        ("xxxxx", 4, ["d4"]),  # the fifth day continues the escalated run
        ("xx", 2, ["d2"]),
        ("x.x", 1, ["d1", "d3"]),
    ],
)
def test_a_run_of_n_misses_opens_once_at_its_last_period(pattern: str, n: int, opens: list[str]) -> None:
    assert to_open(flags(pattern), n, ()) == opens


def test_what_was_opened_already_is_not_opened_again_nor_restarts_the_count() -> None:
    assert to_open(flags("xxxxx"), 4, {"d4"}) == []
    assert to_open(flags("xxxxxxxx"), 4, {"d4"}) == ["d8"]


def test_exactly_at_the_threshold_is_no_miss() -> None:
    assert not volume_missed(40, 50.0, 0.8)  # exactly 80%
    assert volume_missed(39, 50.0, 0.8)
    assert not volume_missed(0, 0.0, 0.8)  # no target, nothing owed
    assert not rate_missed(0.9, 0.9) and rate_missed(0.89, 0.9)
    assert not rate_missed(None, 0.9)  # nothing measured is no miss


def test_business_days_back_skip_weekends_and_holidays() -> None:
    holiday = date(2026, 5, 25)
    days = business_days_back(lambda d: d.weekday() < 5 and d != holiday, date(2026, 5, 27), 4)
    assert days == [date(2026, 5, 21), date(2026, 5, 22), date(2026, 5, 26), date(2026, 5, 27)]


def test_due_times_in_wall_time_or_business_days_and_the_next_weekly_review() -> None:
    t = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
    assert due_after(t, parse_duration("48h"), lambda a, n: a) == t + timedelta(hours=48)
    assert due_after(t, parse_duration("2bd"), lambda a, n: a + timedelta(days=10 * n)) == t + timedelta(
        days=20
    )
    # Friday 12:00 New York -> Monday 10:00 New York (14:00 UTC in EDT, after 8 March)
    assert next_weekly(t, 0, 10, 0, "America/New_York") == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    monday_ten = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    assert next_weekly(monday_ten, 0, 10, 0, "America/New_York") == monday_ten + timedelta(days=7)


def test_the_week_a_period_ends_in_and_the_state_as_of_an_instant() -> None:
    assert [week_of(p) for p in ("2026-W10", "2026-03-05", "2026-03")] == ["2026-W10", "2026-W10", "2026-W14"]
    due = datetime(2026, 3, 9, tzinfo=UTC)
    assert state(None, due, due) == "open"
    assert state(None, due, due + timedelta(seconds=1)) == "overdue"
    assert state(due, due, due + timedelta(days=9)) == "resolved"
    assert state(None, None, due + timedelta(days=99)) == "open"
