"""Vendor cells as the importer reads them: times as HubSpot and Salesforce write them, words by §12's plain
rule, numbers with spreadsheet noise; a cell that is none of these is refused with what was expected."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadpact.importers.records import number_text
from leadpact.importers.values import instant_of, pact_word, yes

NY = "America/New_York"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-03-05 14:03", datetime(2024, 3, 5, 19, 3, tzinfo=UTC)),  # HubSpot export, the pact's zone
        ("3/5/2024 2:03 PM", datetime(2024, 3, 5, 19, 3, tzinfo=UTC)),  # a Salesforce report
        ("3/5/2024 12:30 AM", datetime(2024, 3, 5, 5, 30, tzinfo=UTC)),  # midnight hour in 12-hour time
        ("3/5/2024 14:03", datetime(2024, 3, 5, 19, 3, tzinfo=UTC)),
        ("3/5/2024", datetime(2024, 3, 5, 17, 0, tzinfo=UTC)),  # a date alone: 12:00 in the zone
        ("2024-03-05", datetime(2024, 3, 5, 17, 0, tzinfo=UTC)),
        ("2024-03-05T14:03:00.000+0000", datetime(2024, 3, 5, 14, 3, tzinfo=UTC)),  # Data Loader
        ("2024-07-05 14:03", datetime(2024, 7, 5, 18, 3, tzinfo=UTC)),  # summer time
        ("1709647380000", datetime(2024, 3, 5, 14, 3, tzinfo=UTC)),  # epoch milliseconds (the API)
        (1709647380000, datetime(2024, 3, 5, 14, 3, tzinfo=UTC)),
    ],
)
def test_vendor_times(cell: object, expected: datetime) -> None:
    assert instant_of(cell, NY) == expected


@pytest.mark.parametrize("cell", ["05.03.2024", "13/45/2024", "3/5/2024 13:03 PM", "soon", "2024-02-30"])
def test_a_cell_that_is_no_time_says_what_is_expected(cell: str) -> None:
    with pytest.raises(ValueError, match="is not a time .like 2024-03-05 14:03, 3/5/2024 2:03 PM"):
        instant_of(cell, NY)


def test_words_numbers_and_yes() -> None:
    assert pact_word("Organic Search") == "organic_search" == pact_word(" ORGANIC_SEARCH ")
    assert pact_word("Partner Referral / Web") == "partner_referral_web"
    assert number_text("1,250") == "1250" and number_text("$ 25,000,000.00") == "25000000.00"
    assert [yes(v) for v in ("true", "1", "Yes", "FALSE", "0", "", "maybe")] == [
        True, True, True, False, False, False, None,
    ]  # fmt: skip
