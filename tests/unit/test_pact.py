"""The pact: defaults, the replace-whole rule, every error kind, version hash, segments, schema."""

from __future__ import annotations

import re
import typing
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from leadpact.domain.durations import Duration
from leadpact.pact import (
    BUILTIN_ACTIVITY_KINDS,
    Pact,
    PactError,
    PactIssue,
    SplitResponse,
    WithinResponse,
    load_pact,
    pact_json_schema,
    pact_warnings,
    parse_pact,
)

TEMPLATE = resources.files("leadpact").joinpath("templates", "pact.yaml")


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(PactError) as info:
        parse_pact(data)
    return [str(issue) for issue in info.value.issues]


def one_error(data: dict[str, Any]) -> str:
    errors = errors_of(data)
    assert len(errors) == 1, errors
    return errors[0]


# --- defaults ----------------------------------------------------------------------------------


def test_defaults_are_the_seed_numbers() -> None:
    pact = Pact()
    assert pact.pact == 1 and pact.mode == "monitoring" and pact.timezone == "America/New_York"
    assert pact.scoring.mql.fit == 40 and pact.scoring.mql.engagement == 30
    assert pact.scoring.half_life_days == 30
    assert len(pact.scoring.fit) == 6 and pact.scoring.fit[-1].points == -30
    assert [r.kind for r in pact.scoring.engagement][:3] == [
        "demo_request",
        "trial_signup",
        "pricing_inquiry",
    ]
    assert pact.response.high == SplitResponse(business_hours=Duration(5, "m"), after_hours=Duration(1, "h"))
    assert pact.response.medium == WithinResponse(within=Duration(4, "h"), clock="business")
    assert pact.response.low == WithinResponse(within=Duration(1, "bd"), clock="wall")
    assert pact.response.warn_at == [0.5, 0.8]
    assert (pact.touches.min, pact.touches.within_days, pact.touches.channels_min) == (8, 14, 2)
    assert pact.touches.exempt_reasons == ["competitor", "invalid_contact", "duplicate_or_customer"]
    assert pact.disposition.within == Duration(2, "bd") and pact.disposition.after == "first_contact"
    assert list(pact.segments) == ["enterprise", "smb"]
    assert list(pact.reasons)[0] == "wrong_company_size" and len(pact.reasons) == 7
    assert pact.feedback.reason_alert_share == 0.20 and pact.feedback.min_rejections == 10
    assert pact.sources["outbound"] == "sales" and pact.sales_sources == {"outbound"}
    assert "webinar" in pact.marketing_sources and "outbound" not in pact.marketing_sources
    assert pact.recycle.rehandoff.engagement_gain == 25 and pact.recycle.max_cycles == 3
    assert pact.targets.revenue.new_arr == 2_000_000 and pact.targets.rates.mql_to_sql == 0.3
    assert pact.targets.acceptance_min == 0.70
    assert pact.escalation.marketing_volume.below == 0.80
    assert pact.escalation.marketing_volume.within == Duration(48, "h")
    assert pact.escalation.sales_response.consecutive_days == 4
    assert pact.escalation.sustained.to == ["CRO", "CEO"]
    assert pact.reviews.weekly == "mon 10:00" and pact.reviews.weekly_day == 0
    assert pact.reviews.weekly_time == (10, 0) and pact.reviews.quarterly == ["jan", "apr", "jul", "oct"]
    assert pact.data_hygiene.sql == ["budget", "authority", "need", "timeline"]
    cal = pact.calendars["default"]
    assert cal.timezone == "America/New_York" and cal.hours == {"mon-fri": "09:00-17:00"}
    assert cal.holidays is not None and cal.holidays.country == "US"
    assert pact.signoff.marketing is None and pact.signoff.sales is None


def test_template_equals_the_schema_defaults() -> None:
    with resources.as_file(TEMPLATE) as path:
        assert load_pact(path) == Pact()


def _covered(model: BaseModel, raw: Any, seen: set[tuple[str, str]], expected: set[tuple[str, str]]) -> None:
    """Walk the default pact and the template together: (model, key) pairs written / to be written."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None:
            continue  # an optional part with nothing to show (a segment's response overlay)
        expected.add((type(model).__name__, name))
        if isinstance(raw, dict) and name in raw:
            seen.add((type(model).__name__, name))
            _walk(value, raw[name], seen, expected)


def _walk(value: Any, raw: Any, seen: set[tuple[str, str]], expected: set[tuple[str, str]]) -> None:
    if isinstance(value, BaseModel):
        if not isinstance(raw, str):  # a shorthand (holidays: US) writes no keys
            _covered(value, raw, seen, expected)
    elif isinstance(value, dict):
        assert isinstance(raw, dict) and list(raw) == list(value)
        for key, item in value.items():
            _walk(item, raw[key], seen, expected)
    elif isinstance(value, list):
        assert isinstance(raw, list) and len(raw) == len(value)
        for item, raw_item in zip(value, raw, strict=True):
            _walk(item, raw_item, seen, expected)


def _model_fields(model: type[BaseModel], out: dict[str, set[str]]) -> None:
    if model.__name__ in out:
        return
    out[model.__name__] = set(model.model_fields)
    for info in model.model_fields.values():
        stack: list[Any] = [info.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                _model_fields(tp, out)
            stack.extend(typing.get_args(tp))


def test_every_pact_key_appears_in_the_template() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    assert list(raw) == list(Pact.model_fields)  # every top-level key, in the schema's order
    seen: set[tuple[str, str]] = set()
    expected: set[tuple[str, str]] = set()
    _covered(Pact(), raw, seen, expected)
    assert expected - seen == set()  # every key with a default is written out at least once
    fields: dict[str, set[str]] = {}
    _model_fields(Pact, fields)
    words = set(re.findall(r"[a-z_]+", text))
    missing = {f"{model}.{name}" for model, names in fields.items() for name in names if name not in words}
    assert missing == set()  # every key of every part, if only in a comment (holidays in full)


def test_template_cites_the_seeds() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    for quote in ("within 5 minutes during business hours", "within 48 hours", "more than 20% of rejections"):
        assert quote in text


def test_resolved_json_is_itself_a_valid_pact() -> None:
    pact = Pact()
    assert parse_pact(pact.model_dump(mode="json")) == pact


# --- the default rule --------------------------------------------------------------------------


def test_a_given_top_level_key_replaces_its_default_whole() -> None:
    pact = parse_pact({"reasons": {"bad_fit": "tighten scoring"}, "touches": {"exempt_reasons": []}})
    assert pact.reasons == {"bad_fit": "tighten scoring"}
    assert pact.touches.min == 8 and pact.touches.within_days == 14  # left out inside: defaults
    assert pact.sources == Pact().sources  # other keys untouched


def test_nested_keys_left_out_take_their_own_defaults() -> None:
    pact = parse_pact({"scoring": {"half_life_days": 10}})
    assert pact.scoring.half_life_days == 10
    assert pact.scoring.fit == Pact().scoring.fit and pact.scoring.mql.fit == 40

    pact = parse_pact({"scoring": {"fit": [{"field": "employees", "op": ">=", "value": 10, "points": 60}]}})
    assert len(pact.scoring.fit) == 1  # a given list is the whole list
    assert pact.scoring.half_life_days == 30
    assert pact.scoring.engagement == Pact().scoring.engagement


def test_given_calendars_replace_the_default_calendar_too() -> None:
    error = one_error({"calendars": {"eu": {"timezone": "Europe/Berlin"}}})
    assert error.startswith("calendars: has no `default` calendar")
    pact = parse_pact({"calendars": {"default": {"timezone": "Europe/Berlin"}}})
    assert pact.calendars["default"].holidays is None  # a calendar given without holidays has none
    assert pact.calendars["default"].hours == {"mon-fri": "09:00-17:00"}


# --- error messages ----------------------------------------------------------------------------


def test_bad_duration_message_is_exact() -> None:
    error = one_error({"response": {"high": {"business_hours": "5 minutes", "after_hours": "1h"}}})
    assert error == 'response.high.business_hours: "5 minutes" is not a duration like 5m, 1h, 2bd'


def test_issue_carries_path_value_and_message() -> None:
    with pytest.raises(PactError) as info:
        parse_pact({"disposition": {"within": "0m"}})
    (issue,) = info.value.issues
    assert isinstance(issue, PactIssue)
    assert issue.path == "disposition.within" and issue.value == "0m"
    assert issue.message == '"0m" must be longer than zero'
    assert issue.located() == 'pact.yaml: disposition.within: "0m" must be longer than zero'


def test_bad_op_names_the_ops_and_guesses() -> None:
    error = one_error({"scoring": {"fit": [{"field": "title", "op": "match", "value": "x", "points": 60}]}})
    assert error.startswith('scoring.fit[0].op: "match" is not one of eq, ne, in, not_in, between')
    assert error.endswith("(did you mean matches?)")


def test_bad_regex() -> None:
    error = one_error({"scoring": {"fit": [{"field": "title", "op": "matches", "value": "(", "points": 60}]}})
    assert error.startswith('scoring.fit[0].value: "(" is not a valid regular expression')


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("between", [5000, 200], "[5000, 200]: low is above high"),
        ("between", [1, 2, 3], "is not two numbers [low, high] for between"),
        ("between", "200-5000", "is not two numbers [low, high] for between"),
        ("in", "saas", '"saas" is not a list for in'),
        ("not_in", [], "an empty list for not_in never decides anything"),
        (
            "email_domain_in",
            ["@acme.example"],
            '"@acme.example" is not an email domain like acme.example (no @)',
        ),
        ("exists", 3, "3: exists takes no value"),
        ("matches", 5, "5 is not a regular expression"),
        (">=", [1], "[1] is not a number or text to compare with >="),
        ("eq", {"a": 1}, "is not a number, text or true/false for eq"),
    ],
)
def test_condition_values_are_checked_per_op(op: str, value: Any, expected: str) -> None:
    rule = {"field": "employees", "op": op, "value": value, "points": 5}
    error = one_error({"scoring": {"fit": [rule, *Pact().model_dump(mode="json")["scoring"]["fit"]]}})
    assert error.startswith("scoring.fit[0].value: ") and expected in error


def test_good_condition_forms() -> None:
    rules = [
        {"field": "account_id", "op": "exists", "points": 1},
        {"field": "account_id", "op": "exists", "value": True, "points": 1},
        {"field": "email", "op": "email_domain_in", "value": ["acme.example"], "points": 1},
        {"field": "employees", "op": "between", "value": [1, 1], "points": 100},
        {"field": "country", "op": "ne", "value": "US", "points": 0},
        {"field": "title", "op": "<", "value": "m", "points": 0},
    ]
    pact = parse_pact({"scoring": {"fit": rules}})
    assert pact.scoring.fit[1].value is None


def test_unknown_key_gets_did_you_mean() -> None:
    assert one_error({"scoring": {"half_lfe_days": 3}}) == (
        "scoring.half_lfe_days: unknown key (did you mean half_life_days?)"
    )
    assert one_error({"scorng": {}}) == "scorng: unknown key (did you mean scoring?)"
    assert one_error({"segments": {"enterprise": {"touches": {"mni": 3}}}}) == (
        "segments.enterprise.touches.mni: unknown key (did you mean min?)"
    )
    assert one_error({"response": {"high": {"within": "1h", "clok": "wall"}}}) == (
        "response.high.clok: unknown key (did you mean clock?)"
    )


def test_wrong_types() -> None:
    assert one_error({"touches": {"min": "many"}}) == 'touches.min: "many" is not a whole number'
    assert (
        one_error({"scoring": {"half_life_days": "soon"}}) == 'scoring.half_life_days: "soon" is not a number'
    )
    assert one_error({"scoring": {"fit": {"a": 1}}}) == 'scoring.fit: {"a": 1} is not a list'
    assert one_error({"mode": "enforce"}).startswith('mode: "enforce" is not one of monitoring, enforcing')
    assert one_error({"targets": {"rates": {"close": 0}}}) == "targets.rates.close: 0 must be greater than 0"
    assert one_error({"reviews": {"weekly": "monday"}}) == (
        'reviews.weekly: "monday" is not a weekday and time like "mon 10:00"'
    )
    assert one_error({"timezone": "Mars/Olympus"}) == (
        'timezone: "Mars/Olympus" is not a time zone like America/New_York'
    )
    assert one_error({"response": {"high": {"within": "1h", "business_hours": "5m"}}}).startswith(
        "response.high: "
    )
    assert one_error({"response": {"warn_at": [0.5, 1]}}) == (
        "response.warn_at[1]: 1 is not a fraction between 0 and 1 (both excluded)"
    )
    assert one_error({"reasons": {}}) == "reasons: is empty; at least 1 needed"
    assert one_error({"pact": 2}).startswith("pact: 2 is not one of 1")


def test_not_a_mapping() -> None:
    with pytest.raises(PactError) as info:
        parse_pact(["pact"])  # type: ignore[arg-type]
    assert "is not a mapping" in str(info.value)


def test_an_unsigned_enforcing_pact_is_valid_and_monitors_until_both_sign() -> None:
    from leadpact.pact.checks import pact_warnings

    half = parse_pact({"mode": "enforcing", "signoff": {"marketing": "Dana"}})
    assert (half.mode, half.mode_in_effect) == ("enforcing", "monitoring")
    (warning,) = [w for w in pact_warnings(half) if w.path == "mode"]
    assert warning.message.startswith(f'"enforcing" monitors until both heads sign version {half.version}')
    assert "missing sales" in warning.message
    pact = parse_pact({"mode": "enforcing", "signoff": {"marketing": "Dana", "sales": {"name": "Sam"}}})
    assert pact.fully_signed and pact.signoff.marketing is not None and pact.signoff.marketing.name == "Dana"
    assert pact.mode_in_effect == "enforcing" and not [w for w in pact_warnings(pact) if w.path == "mode"]


def test_a_signature_for_another_version_does_not_count_in_enforcing_mode() -> None:
    version = Pact.model_construct(**{**dict(Pact()), "mode": "enforcing"}).version  # the mode is signed too
    signed = {"marketing": {"name": "Dana", "version": version}, "sales": {"name": "Sam", "version": version}}
    assert parse_pact({"mode": "enforcing", "signoff": signed}).fully_signed
    changed = parse_pact({"mode": "enforcing", "signoff": signed, "touches": {"min": 9}})
    assert changed.mode_in_effect == "monitoring"  # valid, and monitors until both sign the new version
    (warning,) = [w for w in pact_warnings(changed) if w.path == "mode"]
    assert "missing marketing and sales" in warning.message
    monitoring = parse_pact({"signoff": signed, "touches": {"min": 9}})
    assert not monitoring.fully_signed
    assert any(w.path == "signoff.sales.version" for w in pact_warnings(monitoring))


def test_unreachable_thresholds() -> None:
    assert one_error({"scoring": {"mql": {"fit": 70}}}) == (
        "scoring.mql.fit: 70 cannot be reached: the fit rules add up to at most 65"
    )
    engagement = [
        {"kind": "email_click", "points": 2, "max": 10},
        {"kind": "page_view", "points": 1, "max": 5},
    ]
    error = one_error({"scoring": {"engagement": engagement}})
    assert error == (
        "scoring.mql.engagement: 30 cannot be reached: every engagement rule has a max and together they "
        "give at most 15"
    )
    error = one_error({"scoring": {"engagement": [{"kind": "page_view", "points": -1}]}})
    assert error == "scoring.mql.engagement: 30 cannot be reached: no engagement rule gives points"
    segments = {"big": {"mql": {"fit": 66}}}
    assert one_error({"segments": segments}) == (
        "segments.big.mql.fit: 66 cannot be reached: the fit rules add up to at most 65"
    )


def test_references_between_keys() -> None:
    error = one_error({"touches": {"exempt_reasons": ["competitor", "nope"]}})
    assert error.startswith('touches.exempt_reasons[1]: "nope" is not a reason code of `reasons`')
    error = one_error({"targets": {"sources": {"podcast": 1.0}}})
    assert error.startswith('targets.sources.podcast: "podcast" is not a source of `sources`')
    error = one_error({"segments": {"x": {"touches": {"exempt_reasons": ["zz"]}}}})
    assert error.startswith('segments.x.touches.exempt_reasons[0]: "zz" is not a reason code')


def test_segment_overlay_is_validated_with_the_pacts_values() -> None:
    error = one_error(
        {"touches": {"min": 3, "channels_min": 1}, "segments": {"x": {"touches": {"channels_min": 4}}}}
    )
    assert error.startswith("segments.x.touches.channels_min: 4 channels need at least 4 touches; min is 3")


def test_calendar_errors_point_into_the_calendar() -> None:
    assert one_error({"calendars": {"default": {"hours": {"mon-fri": "closed"}}}}) == (
        "calendars.default.hours: the calendar has no working time (no weekday has a window)"
    )
    assert one_error({"calendars": {"default": {"hours": {"mon-fry": "09:00-17:00"}}}}).startswith(
        "calendars.default.hours.mon-fry: "
    )
    assert one_error({"calendars": {"default": {"holidays": "XX"}}}).startswith(
        'calendars.default.holidays.country: unknown country "XX"'
    )
    assert one_error({"calendars": {"default": {"timezone": "Europe/Nowhere"}}}) == (
        'calendars.default.timezone: "Europe/Nowhere" is not a time zone like America/New_York'
    )


def test_several_errors_at_once() -> None:
    errors = errors_of(
        {
            "mode": "enforcing",
            "response": {"high": {"business_hours": "5 minutes", "after_hours": "1h"}},
            "scoring": {"half_lfe_days": 3, "mql": {"fit": 500}},
            "touches": {"exempt_reasons": ["nope"]},
            "targets": {"sources": {"podcast": 1}},
            "sourcse": {},
        }
    )
    assert len(errors) == 5, errors  # an unsigned enforcing pact is no error (it monitors until signed)
    joined = "\n".join(errors)
    for part in (
        "response.high.business_hours",
        "scoring.half_lfe_days",
        "touches.exempt_reasons[0]",
        "sourcse: unknown key (did you mean sources?)",
        # a misspelled key of `scoring` does not hide a threshold its (valid) fit rules cannot reach
        "scoring.mql.fit: 500 cannot be reached",
    ):
        assert part in joined
    # the planned sources are not judged against default sources while `sources` is misspelled
    assert "targets.sources.podcast" not in joined


# --- files -------------------------------------------------------------------------------------


def test_load_pact_names_lines(tmp_path: Path) -> None:
    text = TEMPLATE.read_text(encoding="utf-8").replace("business_hours: 5m", 'business_hours: "5 minutes"')
    path = tmp_path / "pact.yaml"
    path.write_text(text.replace("half_life_days: 30 ", "half_lfe_days: 30 "), encoding="utf-8")
    with pytest.raises(PactError) as info:
        load_pact(path)
    issues = info.value.issues
    lines = text.splitlines()
    by_path = {i.path: i for i in issues}
    issue = by_path["response.high.business_hours"]
    assert issue.line is not None and "5 minutes" in lines[issue.line - 1]
    assert issue.located().startswith(f"{path}:{issue.line}: response.high.business_hours")
    assert by_path["scoring.half_lfe_days"].line is not None


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "pact.yaml"
    path.write_text("pact: 1\nscoring:\n  fit: [\n    {field: a\n", encoding="utf-8")
    with pytest.raises(PactError) as info:
        load_pact(path)
    (issue,) = info.value.issues
    assert "YAML syntax error at line" in issue.message and issue.line is not None


def test_missing_empty_and_duplicate(tmp_path: Path) -> None:
    with pytest.raises(PactError) as info:
        load_pact(tmp_path / "nope.yaml")
    assert "no pact file at" in str(info.value) and "leadpact init" in str(info.value)
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(PactError, match="is empty"):
        load_pact(empty)
    dup = tmp_path / "dup.yaml"
    dup.write_text("pact: 1\nname: A\nname: B\n", encoding="utf-8")
    with pytest.raises(PactError) as info:
        load_pact(dup)
    assert [str(i) for i in info.value.issues][
        0
    ] == "name: duplicate key (also on line 2); give each key once"


def test_yaml_is_read_with_yaml_12_scalars(tmp_path: Path) -> None:
    path = tmp_path / "pact.yaml"
    path.write_text(
        "scoring:\n  fit:\n    - {field: country, op: in, value: [US, NO, on], points: 60}\n"
        "calendars:\n  default:\n    hours: {mon-fri: 09:00-17:00}\n"
        "    holidays: {country: US, half_days: [{date: 2026-11-27, close: 13:00}]}\n",
        encoding="utf-8",
    )
    pact = load_pact(path)
    assert pact.scoring.fit[0].value == ["US", "NO", "on"]
    holidays = pact.calendars["default"].holidays
    assert holidays is not None and holidays.half_days[0].close == time(13, 0)
    assert holidays.half_days[0].date == date(2026, 11, 27)


# --- version -----------------------------------------------------------------------------------


def test_version_ignores_signoff_and_follows_thresholds() -> None:
    base = Pact()
    assert len(base.version) == 12 and len(base.version_full) == 64
    assert base.version_full.startswith(base.version)
    signed = parse_pact({"signoff": {"marketing": "Dana", "sales": {"name": "Sam", "at": "2026-03-01"}}})
    assert signed.version_full == base.version_full
    assert parse_pact({"scoring": {"mql": {"fit": 41}}}).version != base.version
    # the same pact written two ways is the same version
    assert parse_pact({"touches": {"min": 8}}).version == base.version
    reordered = dict(reversed(list(base.model_dump(mode="json")["sources"].items())))
    assert parse_pact({"sources": reordered}).version == base.version
    # segment order decides the segment, so it is part of the version
    segments = base.model_dump(mode="json")["segments"]
    swapped = {"smb": segments["smb"], "enterprise": segments["enterprise"]}
    assert parse_pact({"segments": swapped}).version != base.version


# --- segments ----------------------------------------------------------------------------------


def test_segment_overlay_key_by_key() -> None:
    pact = Pact()
    eff = pact.effective("enterprise")
    assert eff.mql.fit == 50 and eff.mql.engagement == 30
    assert (eff.touches.min, eff.touches.within_days, eff.touches.channels_min) == (10, 21, 3)
    assert eff.touches.exempt_reasons == pact.touches.exempt_reasons  # left out: the pact's
    assert eff.response == pact.response and eff.disposition == pact.disposition
    assert pact.effective("smb").touches == pact.touches
    assert pact.effective(None).mql == pact.scoring.mql
    with pytest.raises(KeyError):
        pact.effective("nope")

    pact = parse_pact(
        {
            "segments": {
                "vip": {
                    "mql": {"engagement": 10},
                    "touches": {"min": 10},
                    "response": {"low": {"within": "4h"}},
                    "disposition": {"after": "handoff"},
                }
            }
        }
    )
    eff = pact.effective("vip")
    assert eff.mql.fit == 40 and eff.mql.engagement == 10
    assert eff.touches.min == 10 and eff.touches.within_days == 14
    assert eff.response.low == WithinResponse(within=Duration(4, "h"))
    assert eff.response.high == pact.response.high and eff.response.warn_at == [0.5, 0.8]
    assert eff.disposition.after == "handoff" and eff.disposition.within == Duration(2, "bd")


def test_segment_for_takes_the_first_match_in_order() -> None:
    from leadpact.domain.rules import rules_from_pact

    pact = parse_pact(
        {
            "segments": {
                "enterprise": {"when": {"field": "employees", "op": ">=", "value": 1000}},
                "us": {"when": {"field": "country", "op": "eq", "value": "US"}},
                "rest": {},
            }
        }
    )
    assert rules_from_pact(pact).segment_for({"employees": 5000, "country": "US"}) == "enterprise"
    assert rules_from_pact(pact).segment_for({"employees": 50, "country": "us"}) == "us"
    assert rules_from_pact(pact).segment_for({"employees": 50, "country": "DE"}) == "rest"
    assert rules_from_pact(pact).segment_for({}) == "rest"
    only = parse_pact(
        {"segments": {"enterprise": {"when": {"field": "employees", "op": ">=", "value": 1000}}}}
    )
    assert rules_from_pact(only).segment_for({"employees": 10}) is None
    assert rules_from_pact(only).segment_for({"employees": "1,200"}) == "enterprise"
    assert rules_from_pact(Pact()).segment_for({"employees": 1000}) == "enterprise"
    assert rules_from_pact(Pact()).segment_for({"employees": 999}) == "smb"


def test_a_segment_after_a_catch_all_is_a_warning() -> None:
    pact = parse_pact({"segments": {"all": {}, "late": {"when": {"field": "attributes.a", "op": "exists"}}}})
    warnings = [str(w) for w in pact_warnings(pact)]
    assert "segments.late: never matches: segment all before it has no `when`" in warnings
    assert pact_warnings(Pact()) == []


# --- derived views -----------------------------------------------------------------------------


def test_activity_kinds_add_the_pacts_own() -> None:
    pact = parse_pact(
        {
            "scoring": {"engagement": [{"kind": "podcast_listen", "points": 30}]},
            "intent": {"high": [{"kind": "sales_call_booked"}]},
            "recycle": {"rehandoff": {"or_kinds": ["partner_referral"]}},
        }
    )
    assert pact.activity_kinds >= BUILTIN_ACTIVITY_KINDS
    assert {"podcast_listen", "sales_call_booked", "partner_referral"} <= pact.activity_kinds
    assert Pact().activity_kinds == BUILTIN_ACTIVITY_KINDS


def test_a_custom_kind_close_to_a_builtin_is_a_warning() -> None:
    pact = parse_pact({"scoring": {"engagement": [{"kind": "demo_requests", "points": 50}]}})
    (warning,) = [w for w in pact_warnings(pact) if w.path.startswith("scoring")]
    assert warning.severity == "warning" and "did you mean demo_request?" in warning.message


def test_calendar_spec() -> None:
    spec = Pact().calendar_spec()
    assert spec.timezone == "America/New_York" and spec.country == "US"
    assert spec.hours[0] and not spec.hours[5]
    pact = parse_pact(
        {
            "timezone": "Europe/Berlin",
            "calendars": {
                "default": {},
                "de": {
                    "hours": {"mon-thu": "08:00-12:00,13:00-17:00", "fri": "08:00-14:00"},
                    "holidays": {
                        "country": "DE",
                        "subdivision": "BY",
                        "dates": ["2026-12-24"],
                        "half_days": [{"date": "2026-12-31", "close": "12:00"}],
                    },
                },
            },
        }
    )
    spec = pact.calendar_spec("de")
    assert spec.timezone == "Europe/Berlin"  # left out: the pact's
    assert spec.subdivision == "BY" and spec.dates == (date(2026, 12, 24),)
    assert spec.half_days[0].close == time(12, 0)
    assert len(spec.hours[0]) == 2 and spec.hours[4] == ((time(8), time(14)),)
    with pytest.raises(KeyError):
        pact.calendar_spec("nope")


# --- the schema --------------------------------------------------------------------------------


def _properties_without_description(node: Any, where: str, out: list[str]) -> None:
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            if "description" not in prop:
                out.append(f"{where}.{name}")
        for key, child in node.items():
            _properties_without_description(child, f"{where}/{key}", out)
    elif isinstance(node, list):
        for i, child in enumerate(node):
            _properties_without_description(child, f"{where}[{i}]", out)


def test_schema_describes_every_property() -> None:
    schema = pact_json_schema()
    missing: list[str] = []
    _properties_without_description(schema, "", missing)
    assert missing == []
    assert set(schema["properties"]) == set(Pact.model_fields)
    duration = schema["$defs"]["Disposition"]["properties"]["within"]
    assert duration["type"] == "string" and duration["default"] == "2bd"


# --- properties --------------------------------------------------------------------------------

_DEFAULT_JSON = Pact().model_dump(mode="json")


@settings(max_examples=40, deadline=None)
@given(st.sets(st.sampled_from(sorted(_DEFAULT_JSON))))
def test_any_subset_of_default_keys_gives_the_default_pact(keys: set[str]) -> None:
    """A key left out takes its default: writing any subset of the defaults is the default pact."""
    pact = parse_pact({key: _DEFAULT_JSON[key] for key in keys})
    assert pact == Pact() and pact.version_full == Pact().version_full


@settings(max_examples=40, deadline=None)
@given(st.permutations(sorted(_DEFAULT_JSON["reasons"])), st.permutations(sorted(_DEFAULT_JSON["sources"])))
def test_mapping_order_does_not_change_the_version(reasons: list[str], sources: list[str]) -> None:
    pact = parse_pact(
        {
            "reasons": {code: _DEFAULT_JSON["reasons"][code] for code in reasons},
            "sources": {name: _DEFAULT_JSON["sources"][name] for name in sources},
        }
    )
    assert pact.version_full == Pact().version_full
    assert list(pact.reasons) == reasons  # the order given is kept for display


def test_hash_and_cached_business_calendar() -> None:
    pact = Pact()
    assert hash(pact) == hash(Pact()) and {pact: 1}[Pact()] == 1
    assert pact.business_calendar() is pact.business_calendar("default")
    assert pact == Pact()  # cached views do not enter equality
