"""Every problem of a pact or roster in one run: an error never hides another, and never causes another.

Also the fields a condition may test: a lead field of DESIGN.md §2 or `attributes.<key>` (and, for
routing, the lead's `segment` and `tier`), with a did-you-mean.
"""

from __future__ import annotations

from typing import Any

import pytest

from leadpact.pact import Pact, PactError, parse_pact
from leadpact.roster import parse_roster


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(PactError) as info:
        parse_pact(data)
    return [str(issue) for issue in info.value.issues]


def roster_errors(data: dict[str, Any], *, calendars: set[str] | None = None) -> list[str]:
    with pytest.raises(PactError) as info:
        parse_roster(data, None, calendars=calendars)
    return [str(issue) for issue in info.value.issues]


def roster(**keys: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "teams": {"sdr": {}},
        "reps": [{"id": "ana", "name": "Ana", "email": "a@x", "team": "sdr"}],
        "routing": {"rules": [{"to": "sdr"}]},
    }
    data.update(keys)
    return data


FIT = Pact().model_dump(mode="json")["scoring"]["fit"]


# --- the fields a condition tests ---------------------------------------------------------------


def test_a_fit_rule_on_a_misspelled_field_is_an_error_with_a_did_you_mean() -> None:
    fit = [{**FIT[0], "field": "employes"}, *FIT[1:]]
    assert errors_of({"scoring": {"fit": fit}}) == [
        'scoring.fit[0].field: unknown lead field "employes" (did you mean employees?)'
    ]


def test_a_custom_field_is_read_as_attributes_key_and_a_bare_name_is_refused() -> None:
    rule = {"field": "plan", "op": "eq", "value": "trial", "points": 5}
    assert errors_of({"scoring": {"fit": [*FIT, rule]}}) == [
        'scoring.fit[6].field: unknown lead field "plan" (a custom field is attributes.plan)'
    ]
    pact = parse_pact({"scoring": {"fit": [*FIT, {**rule, "field": "attributes.plan"}]}})
    assert pact.scoring.fit[6].field == "attributes.plan"
    assert errors_of({"scoring": {"fit": [*FIT, {**rule, "field": "attributes."}]}}) == [
        'scoring.fit[6].field: "attributes." names no attribute (write attributes.<key>)'
    ]


def test_a_version_already_in_force_reads_back_as_it_was_accepted() -> None:
    # the store keeps each version in force as JSON; a stricter check must not make it unreadable
    data = Pact().model_dump(mode="json")
    data["scoring"]["fit"].append({"field": "plan", "op": "eq", "value": "trial", "points": 5})
    assert Pact.model_validate(data).scoring.fit[-1].field == "plan"
    with pytest.raises(PactError):
        parse_pact(data)  # read from a file, the name is judged


def test_a_segment_condition_reads_lead_fields_only() -> None:
    when = {"field": "employee", "op": ">=", "value": 1000}
    assert errors_of({"segments": {"big": {"when": when}}}) == [
        'segments.big.when.field: unknown lead field "employee" (did you mean employees?)'
    ]
    tier = {"field": "tier", "op": "eq", "value": "high"}  # what routing reads, not a lead field
    assert errors_of({"segments": {"hot": {"when": tier}}})[0].startswith(
        'segments.hot.when.field: unknown lead field "tier"'
    )


def test_a_routing_condition_also_reads_the_segment_and_the_tier() -> None:
    rules = [
        {"when": {"field": "segment", "op": "eq", "value": "enterprise"}, "to": "sdr"},
        {"when": {"field": "tier", "op": "eq", "value": "high"}, "to": "sdr"},
        {"when": {"field": "source", "op": "eq", "value": "webinar"}, "to": "sdr"},
        {"when": {"field": "attributes.region_code", "op": "exists"}, "to": "sdr"},
        {"to": "sdr"},
    ]
    assert len(parse_roster(roster(routing={"rules": rules}), None).routing.rules) == 5
    wrong = [{"when": {"field": "segmnt", "op": "eq", "value": "smb"}, "to": "sdr"}, {"to": "sdr"}]
    assert roster_errors(roster(routing={"rules": wrong})) == [
        'routing.rules[0].when.field: unknown lead field "segmnt" (did you mean segment?)'
    ]


def test_a_wrong_field_does_not_hide_a_wrong_value_in_the_same_condition() -> None:
    rule = {"field": "employes", "op": "between", "value": [5000, 200], "points": 20}
    assert errors_of({"scoring": {"fit": [rule, *FIT[1:]]}}) == [
        'scoring.fit[0].field: unknown lead field "employes" (did you mean employees?)',
        "scoring.fit[0].value: [5000, 200]: low is above high",
    ]


# --- one pass -----------------------------------------------------------------------------------


def test_a_bad_key_does_not_hide_a_reference_beside_it() -> None:
    touches = {"min": "eight", "exempt_reasons": ["competitor", "duplicate"]}
    errors = errors_of({"touches": touches})
    assert errors == [
        'touches.min: "eight" is not a whole number',
        'touches.exempt_reasons[1]: "duplicate" is not a reason code of `reasons` (wrong_company_size, '
        "wrong_industry, wrong_job_function, duplicate_or_customer, competitor, invalid_contact, "
        "no_budget_or_timeline)",
    ]


def test_a_bad_entry_does_not_hide_the_other_entries() -> None:
    calendars = {
        "default": {"hours": {"mon-fri": "09:00-17:00"}, "holidays": {"country": "US", "dates": ["soon"]}},
        "night": {"hours": {}},
    }
    segments = {"big": {"when": {"field": "employes", "op": ">=", "value": 1}}, "x": {"mql": {"fit": 66}}}
    errors = errors_of({"calendars": calendars, "segments": segments})
    assert sorted(errors) == [
        'calendars.default.holidays.dates[0]: "soon" is not a date like 2026-12-24',
        "calendars.night.hours: the calendar has no working time (no weekday has a window)",
        'segments.big.when.field: unknown lead field "employes" (did you mean employees?)',
        "segments.x.mql.fit: 66 cannot be reached: the fit rules add up to at most 65",
    ]


def test_a_calendar_with_bad_holidays_still_has_its_hours_judged() -> None:
    calendar = {"hours": {}, "holidays": {"country": "US", "dates": ["soon"]}}
    errors = errors_of({"calendars": {"default": calendar}})
    assert "calendars.default.hours: the calendar has no working time (no weekday has a window)" in errors
    assert len(errors) == 2, errors


def test_a_bad_holiday_date_does_not_hide_a_subdivision_without_a_country() -> None:
    holidays = {"subdivision": "CA", "dates": ["soon"]}
    assert errors_of({"calendars": {"default": {"holidays": holidays}}}) == [
        "calendars.default.holidays.subdivision: a subdivision needs a country",
        'calendars.default.holidays.dates[0]: "soon" is not a date like 2026-12-24',
    ]


def test_nothing_is_judged_against_a_value_that_is_not_known() -> None:
    # an empty `reasons` is one error, not also one per exempt reason
    assert errors_of({"reasons": {}}) == ["reasons: is empty; at least 1 needed"]
    # a misspelled `reasons` leaves the intended codes unknown: the exempt reasons are not judged
    errors = errors_of({"reasns": {"spam": "block"}, "touches": {"exempt_reasons": ["spam"]}})
    assert errors == ["reasns: unknown key (did you mean reasons?)"]
    # a reason whose action is empty is still a reason code
    reasons = {"spam": "", "competitor": "exclude"}
    errors = errors_of({"reasons": reasons, "touches": {"exempt_reasons": ["spam", "competitor"]}})
    assert errors == ['reasons.spam: "" is empty']
    # a fit rule whose points are wrong leaves the reachable fit unknown
    rule = {**FIT[0], "points": "lots"}
    assert errors_of({"scoring": {"fit": [rule], "mql": {"fit": 40}}}) == [
        'scoring.fit[0].points: "lots" is not a number'
    ]


def test_a_roster_error_does_not_hide_another_rep_or_cause_one() -> None:
    reps = [
        {"id": "ana", "name": "Ana", "email": "a@x", "team": "sdr", "weight": "heavy"},
        {"id": "ben", "name": "Ben", "email": "b@x", "team": "sdr-x"},
        {"id": "cy", "name": "Cy", "email": "c@x", "team": ["ae"]},
    ]
    errors = roster_errors(roster(reps=reps, teams={"sdr": {}, "ae": {}}))
    assert errors == [
        'reps[0].weight: "heavy" is not a number',
        'reps[2].team: ["ae"] is not a text',
        'reps[1].team: "sdr-x" is not a team of `teams` (sdr, ae)',
    ]  # and no "teams.ae: has no reps": cy's team is not known


def test_the_roster_is_judged_against_the_calendars_of_an_invalid_pact() -> None:
    teams = {"sdr": {"calendar": "emea"}, "ae": {"calendar": "apac"}}
    reps = [
        {"id": "ana", "name": "Ana", "email": "a@x", "team": "sdr"},
        {"id": "eva", "name": "Eva", "email": "e@x", "team": "ae"},
    ]
    errors = roster_errors(roster(teams=teams, reps=reps), calendars={"default", "emea"})
    assert errors == ['teams.ae.calendar: "apac" is not a calendar of the pact (default, emea)']
