"""One way to write numbers for people (leadpact.formatting), on the dashboard and in the reports alike."""

from __future__ import annotations

from leadpact.formatting import count, day, days, duration, local, minutes, money, pct, response_rule
from leadpact.pact import Pact


def test_rates_read_as_percentages_with_one_decimal_and_a_missing_rate_is_a_dash() -> None:
    assert pct(0.945) == "94.5%" and pct(0.627906976744186) == "62.8%" and pct(0.0) == "0.0%"
    assert pct(None) == "—" and pct(float("nan")) == "—"


def test_counts_targets_and_money() -> None:
    assert count(1067) == "1,067" and count(355.55555) == "355.56" and count(None) == "—"
    assert money(398000.0) == "$398,000"


def test_durations_read_in_words() -> None:
    assert minutes(21.0) == "21 minutes" and minutes(1.0) == "1 minute"
    assert minutes(233.186) == "3 hours 53 minutes" and minutes(3000) == "2 days 2 hours"
    assert minutes(0.5) == "30 seconds" and days(1.5) == "1 day 12 hours"
    assert duration("5m") == "5 minutes" and duration("1h") == "1 hour"
    assert duration("2bd") == "2 business days" and duration("4h", "business") == "4 business hours"
    assert duration("1bd", "business") == "1 business day"


def test_a_tiers_clock_reads_the_same_from_the_pact_and_from_its_json() -> None:
    tiers = Pact().response
    for tier, said in (
        ("high", "5 minutes in business hours, 1 hour after"),
        ("medium", "4 business hours"),
        ("low", "1 business day"),
    ):
        assert response_rule(tiers.tier(tier)) == said
        assert response_rule(tiers.model_dump(mode="json")[tier]) == said


def test_instants_and_days_read_in_the_pacts_zone() -> None:
    assert local("2026-03-02T15:05:00Z", "America/New_York") == "2026-03-02 10:05 EST"
    assert day("2027-01-04") == "Monday 4 January 2027"
