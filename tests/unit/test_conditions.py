"""Operators: every op of domain/conditions.py by hand — a match, a non-match and a missing field each —
the rules they share (case-insensitive text, numeric text as numbers, a missing field matches only ne and
not_in), field_value, and describe_condition."""

from __future__ import annotations

from typing import Any

import pytest

from leadpact.domain.conditions import OPS, describe_condition, evaluate_condition, field_value

MISSING: list[Any] = [None, "", "   "]  # every one is a missing field

# (op, field value, rule value, expected): for each op a match, a non-match, then the missing cases below
CASES: list[tuple[str, Any, Any, bool]] = [
    # eq: case- and blank-insensitive text; numeric text equals the number
    ("eq", "Marketing ", "marketing", True),
    ("eq", "1,200", 1200, True),
    ("eq", 200, "200.0", True),
    ("eq", "sales", "marketing", False),
    ("eq", "1,201", 1200, False),
    # ne: the negation of eq on a present field
    ("ne", "sales", "marketing", True),
    ("ne", "1,201", 1200, True),
    ("ne", " MARKETING", "marketing", False),
    ("ne", "200", 200, False),
    # in / not_in: eq against any element
    ("in", "SaaS", ["software", "saas"], True),
    ("in", "5000", [200, 5000], True),
    ("in", "Healthcare", ["software", "saas"], False),
    ("in", 5001, [200, 5000], False),
    ("not_in", "Healthcare", ["software", "saas"], True),
    ("not_in", "us", ["US", "CA"], False),
    ("not_in", 200.0, ["200"], False),
    # between: inclusive, numbers (numeric text included) only
    ("between", 200, [200, 5000], True),
    ("between", "5,000", [200, 5000], True),
    ("between", 5000.5, [200, 5000], False),
    ("between", 199, [200, 5000], False),
    ("between", "lots", [200, 5000], False),
    # >= <= > <: numbers when both sides are numbers (numeric text too), else case-insensitive text
    (">=", 1000, 1000, True),
    (">=", "2,500", 1000, True),
    (">=", 999, 1000, False),
    (">=", "lots", 1000, False),  # text against a number: no comparison
    ("<=", "1000", 1000, True),
    ("<=", 1001, 1000, False),
    (">", "b", "A", True),  # text: "b" > "a"
    (">", 1000, 1000, False),
    ("<", 999.5, "1,000", True),
    ("<", "Zed", "alpha", False),  # text: "zed" < "alpha" is false
    # exists: any value that is not blank
    ("exists", "ACCT-9", None, True),
    ("exists", 0, None, True),
    ("exists", False, None, True),
    # matches: an unanchored regex search over the value as text, case-sensitive unless (?i)
    ("matches", "Marketing Intern", "(?i)intern|student", True),
    ("matches", "STUDENT", "(?i)intern|student", True),
    ("matches", 1200, "^12", True),
    ("matches", "Marketing Intern", "intern", False),
    ("matches", "VP Marketing", "(?i)intern|student", False),
    ("matches", "VP Marketing", "^Marketing", False),
]


@pytest.mark.parametrize(("op", "field", "value", "expected"), CASES)
def test_operator(op: str, field: Any, value: Any, expected: bool) -> None:
    assert evaluate_condition(op, field, value) is expected


def test_casefold_is_full_unicode_casefolding() -> None:
    assert evaluate_condition("eq", "Straße", "STRASSE")
    assert evaluate_condition("eq", "ß", "ss")


VALUES: dict[str, Any] = {
    "eq": "marketing",
    "ne": "marketing",
    "in": ["US"],
    "not_in": ["US"],
    "between": [200, 5000],
    ">=": 1000,
    "<=": 1000,
    ">": "a",
    "<": "z",
    "exists": None,
    "email_domain_in": ["acme.example"],
    "matches": ".*",
}


@pytest.mark.parametrize("missing", MISSING)
@pytest.mark.parametrize("op", OPS)
def test_a_missing_field_matches_only_ne_and_not_in(op: str, missing: Any) -> None:
    assert set(VALUES) == set(OPS)
    assert evaluate_condition(op, missing, VALUES[op]) is (op in ("ne", "not_in"))


def test_every_operator_has_a_match_and_a_non_match_above() -> None:
    seen = {(op, expected) for op, _, _, expected in CASES} | {
        ("email_domain_in", True),
        ("email_domain_in", False),
        ("exists", False),
    }
    assert seen == {(op, result) for op in OPS for result in (True, False)}


# --- email_domain_in --------------------------------------------------------------------------------


def test_email_domain_in_reads_the_domain_case_insensitively() -> None:
    assert evaluate_condition("email_domain_in", "Bob@ACME.example ", ["acme.example"])
    assert evaluate_condition("email_domain_in", "bob@acme.example", [" Acme.Example"])
    assert evaluate_condition("email_domain_in", "a@b@acme.example", ["acme.example"])  # the last @
    # no subdomains
    assert not evaluate_condition("email_domain_in", "bob@mail.acme.example", ["acme.example"])
    assert not evaluate_condition("email_domain_in", "bob@other.example", ["acme.example"])
    assert not evaluate_condition("email_domain_in", "acme.example", ["acme.example"])  # no @: no domain


def test_email_domain_in_falls_back_on_the_leads_email() -> None:
    # a field with no address in it (the company, or nothing at all) is judged by the lead's email
    assert evaluate_condition("email_domain_in", "Acme Inc", ["acme.example"], email="ann@acme.example")
    assert evaluate_condition("email_domain_in", None, ["acme.example"], email="ann@ACME.example")
    assert evaluate_condition("email_domain_in", "bob@", ["acme.example"], email="ann@acme.example")
    # the field's own domain wins over the email's
    assert not evaluate_condition(
        "email_domain_in", "bob@other.example", ["acme.example"], email="ann@acme.example"
    )
    # missing both ways: no match
    assert not evaluate_condition("email_domain_in", None, ["acme.example"])
    assert not evaluate_condition("email_domain_in", "", ["acme.example"], email="no-at-sign")


# --- the rest ---------------------------------------------------------------------------------------


def test_an_unknown_operator_is_an_error_unless_the_field_is_missing() -> None:
    with pytest.raises(ValueError, match="unknown operator 'like'"):
        evaluate_condition("like", "x", "x")
    assert evaluate_condition("like", None, "x") is False


def test_field_value_reads_fields_then_attributes() -> None:
    lead = {"title": "VP", "plan": None, "attributes": {"plan": "pro", "tier": "gold"}}
    assert field_value(lead, "title") == "VP"
    assert field_value(lead, "plan") is None  # a field present (even empty) wins over an attribute
    assert field_value(lead, "tier") == "gold"  # a bare name found only in attributes
    assert field_value(lead, "attributes.tier") == "gold"
    assert field_value(lead, "attributes.plan") == "pro"
    assert field_value(lead, "nosuch") is None
    assert field_value({"attributes": "not a mapping"}, "tier") is None


@pytest.mark.parametrize(
    ("field", "op", "value", "text"),
    [
        ("job_function", "eq", "marketing", "job_function eq marketing"),
        ("job_function", "ne", "sales", "job_function ne sales"),
        ("country", "in", ["US", "CA"], "country in [US, CA]"),
        ("country", "not_in", ["US"], "country not in [US]"),
        ("employees", "between", [200, 5000], "employees between 200..5000"),
        ("employees", "between", [200.0, 5000.5], "employees between 200..5000.5"),
        ("employees", ">=", 1000, "employees >= 1000"),
        ("employees", "<=", 1000.0, "employees <= 1000"),
        ("employees", ">", 50, "employees > 50"),
        ("employees", "<", 10, "employees < 10"),
        ("account_id", "exists", None, "account_id exists"),
        ("email", "email_domain_in", ["acme.example", "a.io"], "email email domain in [acme.example, a.io]"),
        ("title", "matches", "(?i)intern|student", "title matches (?i)intern|student"),
        ("seniority", "in", ("vp", 1.0), "seniority in [vp, 1]"),
        ("is_customer", "eq", True, "is_customer eq True"),
    ],
)
def test_describe_condition(field: str, op: str, value: Any, text: str) -> None:
    assert describe_condition(field, op, value) == text


def test_a_number_written_as_text_compares_like_the_number() -> None:
    # employees "n/a" against 1000 is no comparison (False); against "1000" it is "n/a" >= "1000" as text
    assert evaluate_condition(">=", "n/a", "1000") is evaluate_condition(">=", "n/a", 1000)
