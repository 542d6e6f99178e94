"""Instants as people read them: the pact's zone, one style; as scripts read them: ISO 8601 UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadpact.cli.render import Times, waited
from leadpact.domain.timeutil import iso_utc, local_short, local_text, parse_instant, zone_names

NY = "America/New_York"
WINTER = datetime(2026, 3, 2, 15, 5, tzinfo=UTC)  # 10:05 EST
SUMMER = datetime(2026, 3, 9, 14, 5, tzinfo=UTC)  # 10:05 EDT, after the change of 2026-03-08


def test_a_sentence_names_the_zone_and_a_listing_leaves_it_to_its_footer() -> None:
    assert local_text(WINTER, NY) == "2026-03-02 10:05 EST"
    assert local_text(SUMMER, NY) == "2026-03-09 10:05 EDT"
    assert local_short(WINTER, NY) == "2026-03-02 10:05"
    assert local_short(WINTER, "Europe/Berlin") == "2026-03-02 16:05"


def test_the_footer_names_each_offset_the_listing_straddles_earliest_first() -> None:
    assert zone_names([WINTER], NY) == "EST (America/New_York)"
    assert zone_names([SUMMER, WINTER, WINTER], NY) == "EST/EDT (America/New_York)"
    assert zone_names([], NY) == NY
    assert zone_names([WINTER], "UTC") == "UTC"


def test_times_reads_json_instants_and_remembers_them_for_the_footer() -> None:
    times = Times(NY)
    assert times.cell(iso_utc(WINTER)) == "2026-03-02 10:05" and times.cell(None) == "—"
    assert times.text(SUMMER) == "2026-03-09 10:05 EDT"
    assert times.footer() == "times in EST/EDT (America/New_York)"


def test_inputs_keep_taking_iso_8601_with_an_offset() -> None:
    assert parse_instant("2026-03-02T10:05:00-05:00") == WINTER
    assert parse_instant("2026-03-02T15:05:00Z") == WINTER
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_instant("2026-03-02T10:05:00")


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 min"),
        (4.7, "4 min"),
        (185, "3 h 05 min"),
        (60 * 24 * 2 + 240, "2 d 4 h"),
        (60 * 24 * 275, "275 d"),
    ],
)
def test_a_wait_reads_in_the_largest_units(minutes: float, text: str) -> None:
    assert waited(minutes) == text
