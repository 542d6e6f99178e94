"""Vectorised scoring (domain/scoring_vec.py) against the scalar fit_score / engagement_score: property
tests over random leads, activities and rule sets using every operator; hand-computed decay, caps, windows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadpact.domain import gate
from leadpact.domain.conditions import OPS, evaluate_condition, field_value
from leadpact.domain.conditions_vec import condition_vec
from leadpact.domain.gate import segment_vec
from leadpact.domain.lead_columns import LeadBatch, lead_columns
from leadpact.domain.rules import rules_from_pact
from leadpact.domain.scoring import Activity, engagement_score, fit_score
from leadpact.domain.scoring_vec import Coded, engagement_vec, fit_vec
from leadpact.pact import Pact

DAY_US = 86_400_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
AS_OF = 1_772_000_000_000_000  # 2026-02-25, in UTC microseconds
TOL = 1e-9


def instant(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True)
class Fit:
    field: str
    op: str
    value: Any
    points: float


@dataclass(frozen=True)
class Eng:
    kind: str
    points: float
    max: float | None = None
    window_days: float | None = None
    half_life_days: float | None = None
    asset: str | None = None
    campaign: str | None = None
    channel: str | None = None


# --- pools ------------------------------------------------------------------------------------------------

ABSENT = object()  # the key is not in the lead's fields at all
NAN = float("nan")  # one object in leads and rules: `in` over a set must not take identity for equality
MIXED: list[Any] = [
    None,
    "",
    "  ",
    0,
    1,
    1.0,
    -0.0,
    0.0,
    True,
    False,
    -5,
    150,
    200,
    5000,
    5001,
    1e3,
    NAN,
    "200",
    " 5,000 ",
    "1,200",
    "abc",
    "nan",
    "1e3",
    "-0",
    "Marketing",
    "marketing ",
    "SALES",
    "RevOps",
    "VP",
    "Director",
    "c_level",
    "Marketing Intern",
    "STUDENT",
    "internal audit",
    "US",
    "us",
    "Gb",
    "ca ",
    "bob@Acme.Example",
    "x@foo.com ",
    "noatsign",
    "x@",
    "@acme.example",
    "a@b@acme.example",
    "Software",
    "saas",
    "ß",
    "SS",
    "m",
    "Z",
]
EMAILS: list[Any] = [
    None,
    "",
    "bob@Acme.Example",
    "ann@foo.com ",
    "noatsign",
    "x@",
    "eve@ACME.example",
    "a@b@foo.com",
    42,
]
FIELDS = [
    "employees",
    "job_function",
    "seniority",
    "industry",
    "country",
    "title",
    "company",
    "email",
    "plan",
    "attributes.plan",
    "nosuch",
]
SCALARS: list[Any] = [
    "marketing",
    "MARKETING",
    200,
    "200",
    200.0,
    True,
    False,
    1,
    0,
    -0.0,
    "1,200",
    " us ",
    "abc",
    "",
    5000,
    "ss",
    "nan",
    1e3,
    NAN,
]
COMPARED: list[Any] = [200, "200", 1000, 0, -0.0, 1e3, "m", "Marketing", "abc", "", True, "SS", "1,200"]
BOUNDS: list[Any] = [0, 150, 200, "200", 1000, 5000, 1e3, "1,200", "abc", -1, True]
DOMAINS = ["acme.example", "ACME.example ", "foo.com", "b@foo.com", "", "x"]
PATTERNS = [
    r"(?i)intern|student",
    "^VP",
    "sales$",
    "@acme",
    r"\d+",
    "^$",
    r"1\.0",
    "^-0",
    "(?i)^us$",
    "nan",
    "True",
    "(?i)ss",
    "^ ",
    "0$",
]

PLAIN = [name for name in FIELDS if name not in ("email", "attributes.plan")]
leads_st = st.lists(
    st.fixed_dictionaries(
        {name: st.sampled_from([ABSENT, *MIXED]) for name in PLAIN}
        | {
            "email": st.sampled_from([ABSENT, *EMAILS, *MIXED[:6]]),
            "attributes": st.sampled_from(
                [
                    ABSENT,
                    None,
                    "flat",
                    {},
                    {"plan": "Pro"},
                    {"plan": " pro"},
                    {"plan": None},
                    {"plan": 3},
                    {"other": 1},
                ]
            ),
        }
    ).map(lambda d: {k: v for k, v in d.items() if v is not ABSENT}),
    max_size=40,
)


@st.composite
def fit_rule(draw: st.DrawFn) -> Fit:
    op = draw(st.sampled_from(OPS))
    value: Any
    if op in ("eq", "ne"):
        value = draw(st.sampled_from(SCALARS))
    elif op in ("in", "not_in"):
        value = draw(st.lists(st.sampled_from(SCALARS), min_size=1, max_size=4))
    elif op == "email_domain_in":
        value = draw(st.lists(st.sampled_from(DOMAINS), min_size=1, max_size=3))
    elif op == "between":
        value = draw(st.lists(st.sampled_from(BOUNDS), min_size=2, max_size=2))
    elif op == "matches":
        value = draw(st.sampled_from(PATTERNS))
    elif op == "exists":
        value = None
    else:
        value = draw(st.sampled_from(COMPARED))
    points = draw(st.one_of(st.integers(-40, 40), st.floats(-50, 50).map(lambda x: round(x, 3))))
    return Fit(draw(st.sampled_from(FIELDS)), op, value, float(points))


KINDS = ["demo_request", "trial_signup", "page_view", "content_download", "email_click", "Demo_Request"]
ASSETS = [None, "/demo", "/pricing", ""]
CAMPAIGNS = [None, "q1", "Q1"]
CHANNELS = [None, "email", "web"]
OFFSETS = [0, DAY_US, 7 * DAY_US, 7 * DAY_US + 1, 30 * DAY_US, 30 * DAY_US - 1, 60 * DAY_US, -1, DAY_US // 4]


@st.composite
def eng_rule(draw: st.DrawFn) -> Eng:
    return Eng(
        kind=draw(st.sampled_from(KINDS[:-1] + ["unknown_kind"])),
        points=float(draw(st.one_of(st.integers(-20, 60), st.floats(-20, 60, allow_nan=False)))),
        # a max <= 0 is no valid pact, but the scalar gives it a meaning: a rule with no activity adds 0
        max=draw(st.one_of(st.none(), st.sampled_from([1.0, 10.0, 30.0, 0.5, -5.0]), st.floats(0.01, 100))),
        window_days=draw(st.one_of(st.none(), st.sampled_from([1.0, 7.0, 7.5, 30.0, 0.25]))),
        half_life_days=draw(st.one_of(st.none(), st.sampled_from([1.0, 7.0, 30.0, 45.5]))),
        asset=draw(st.sampled_from(ASSETS)),
        campaign=draw(st.sampled_from(CAMPAIGNS)),
        channel=draw(st.sampled_from(CHANNELS)),
    )


activity_st = st.tuples(
    st.sampled_from(KINDS),
    st.one_of(st.integers(-10 * DAY_US, 120 * DAY_US), st.sampled_from(OFFSETS)),
    st.sampled_from(ASSETS),
    st.sampled_from(CAMPAIGNS),
    st.sampled_from(CHANNELS),
)


def scalar_fits(rules: Any, leads: list[dict[str, Any]]) -> np.ndarray:
    return np.array([fit_score(rules, lead)[0] for lead in leads], dtype=np.float64)


def assert_close(got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape
    assert np.all(np.abs(got - want) <= TOL), (got, want)


# --- fit ----------------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leads=leads_st, rules=st.lists(fit_rule(), max_size=8))
def test_fit_vec_agrees_with_fit_score_under_random_rules(
    leads: list[dict[str, Any]], rules: list[Fit]
) -> None:
    columns = lead_columns(leads, [r.field for r in rules])
    email = [lead.get("email") for lead in leads]
    assert_close(fit_vec(rules, columns, len(leads), email=email), scalar_fits(rules, leads))
    for rule in rules:  # each operator alone, as the scalar evaluates it
        mail = [e if isinstance(e, str) else None for e in email]
        want = [
            evaluate_condition(rule.op, field_value(lead, rule.field), rule.value, email=m)
            for lead, m in zip(leads, mail, strict=True)
        ]
        got = condition_vec(rule.field, rule.op, rule.value, columns, len(leads), email=email)
        assert got.tolist() == want


@settings(max_examples=200, deadline=None)
@given(leads=leads_st)
def test_fit_vec_agrees_under_the_default_pact(leads: list[dict[str, Any]]) -> None:
    pact = Pact()
    rules = pact.scoring.fit
    batch = LeadBatch(lead_columns(leads, [r.field for r in rules] + ["employees"]), len(leads))
    assert_close(fit_vec(rules, batch), scalar_fits(rules, leads))
    rules = rules_from_pact(pact)
    fit_min, engagement_min = gate.thresholds_vec(rules, batch, len(leads))
    gates = [gate.thresholds(rules, lead) for lead in leads]
    assert fit_min.tolist() == [g[0] for g in gates]
    assert engagement_min.tolist() == [g[1] for g in gates]


NUMERIC_COLUMNS = st.sampled_from(["int", "float", "bool", "str"])


@settings(max_examples=200, deadline=None)
@given(
    kind=NUMERIC_COLUMNS,
    data=st.data(),
    rules=st.lists(fit_rule().map(lambda r: Fit("x", r.op, r.value, r.points)), min_size=1, max_size=6),
)
def test_typed_numpy_columns_mean_their_python_values(
    kind: str, data: st.DataObject, rules: list[Fit]
) -> None:
    """int, float (with -0.0 and nan), bool and unicode arrays: each element means its Python value."""
    pools: dict[str, list[Any]] = {
        "int": [0, 1, -5, 150, 200, 1000, 5000, 5001],
        "float": [0.0, -0.0, 1.0, 200.0, 1e3, 5000.5, float("nan"), float("inf")],
        "bool": [True, False],
        "str": ["", " ", "200", "1,200", "Marketing", "intern", "US", "bob@acme.example"],
    }
    values = data.draw(st.lists(st.sampled_from(pools[kind]), max_size=30))
    dtype = {"int": np.int64, "float": np.float64, "bool": np.bool_, "str": np.str_}[kind]
    column = np.array(values, dtype=dtype)
    leads = [{"x": v} for v in column.tolist()]
    assert_close(fit_vec(rules, {"x": column}, len(values)), scalar_fits(rules, leads))


def test_fit_by_hand_under_the_default_pact() -> None:
    rules = Pact().scoring.fit
    leads = [
        {
            "employees": "1,200",
            "job_function": "Marketing ",
            "seniority": "VP",
            "industry": "SaaS",
            "country": "us",
            "title": "Marketing Intern",
        },  # 20 + 15 + 15 + 10 + 5 - 30
        {"employees": 5000, "job_function": "revops", "seniority": "c_level", "title": "CMO"},  # 20 + 15 + 15
        {"employees": 5001, "country": "FR"},  # 5
        {},
        {"employees": "   ", "title": "Student Ambassador"},  # -30
    ]
    columns = lead_columns(leads, [r.field for r in rules])
    assert fit_vec(rules, columns, len(leads)).tolist() == [35.0, 50.0, 5.0, 0.0, -30.0]


def test_missing_columns_are_missing_fields_and_an_empty_batch_is_empty() -> None:
    rules = [
        Fit("nosuch", "ne", "x", 3.0),
        Fit("nosuch", "not_in", ["x"], 4.0),
        Fit("nosuch", "eq", "x", 100.0),
        Fit("nosuch", "exists", None, 100.0),
        Fit("nosuch", "bogus_op", None, 1.0),
    ]
    assert fit_vec(rules, {}, 3).tolist() == [7.0, 7.0, 7.0]
    assert fit_vec(rules, {}, 0).tolist() == []


def test_an_unknown_operator_raises_like_the_scalar_once_a_lead_has_the_field() -> None:
    with pytest.raises(ValueError, match="unknown operator 'bogus'"):
        fit_vec([Fit("x", "bogus", 1, 1.0)], {"x": [None, "a"]}, 2)
    with pytest.raises(ValueError, match="unknown operator 'bogus'"):
        fit_score([Fit("x", "bogus", 1, 1.0)], {"x": "a"})


def test_email_domain_in_reads_the_field_then_the_leads_email() -> None:
    leads = [
        {"email": "Bob@ACME.example", "company": "Acme"},  # company has no @: the email's domain
        {"email": "bob@other.com", "company": "x@acme.example"},  # the field's own domain wins
        {"email": "bob@acme.example", "company": "x@"},  # an empty domain in the field: the email's
        {"company": "Acme"},  # no email at all
        {"email": 7, "company": None},  # a non-text email is no email
    ]
    columns = lead_columns(leads, ["company"])
    got = condition_vec("company", "email_domain_in", ["acme.example"], columns, len(leads))
    assert got.tolist() == [True, True, True, False, False]
    assert got.tolist() == [
        evaluate_condition(
            "email_domain_in",
            lead.get("company"),
            ["acme.example"],
            email=lead.get("email") if isinstance(lead.get("email"), str) else None,
        )
        for lead in leads
    ]


def test_matches_maps_distinct_values_and_keeps_numbers_apart() -> None:
    column = np.array(
        ["Marketing Intern", None, "VP", "Marketing Intern", 1, 1.0, True, -0.0, 0.0], dtype=object
    )
    got = condition_vec("title", "matches", r"(?i)intern|^1$|\.0$|^-|^T", {"title": column}, 9)
    assert got.tolist() == [True, False, False, True, True, True, True, True, True]
    got = condition_vec("title", "matches", r"^1$", {"title": column}, 9)
    assert got.tolist() == [False, False, False, False, True, False, False, False, False]
    between = condition_vec("title", "between", [1, 1], {"title": column}, 9)
    # True is no number for between
    assert between.tolist() == [False, False, False, False, True, True, False, False, False]


def test_segments_and_the_gate_per_lead() -> None:
    pact = Pact()  # enterprise: employees >= 1000 -> fit 50; smb: every other lead (pact's 40)
    leads = [{"employees": 1000}, {"employees": "999"}, {}, {"employees": "2,000"}]
    batch = LeadBatch(lead_columns(leads, ["employees"]), len(leads))
    names = list(pact.segments)
    index = segment_vec([(name, pact.segments[name].when) for name in names], batch)
    assert [names[i] for i in index] == ["enterprise", "smb", "smb", "enterprise"]
    assert segment_vec([("only", Fit("employees", ">", 5000, 0))], batch).tolist() == [-1, -1, -1, -1]
    rules = rules_from_pact(pact)
    fit_min, engagement_min = gate.thresholds_vec(rules, batch, len(leads))
    assert fit_min.tolist() == [50.0, 40.0, 40.0, 50.0]
    assert engagement_min.tolist() == [30.0] * 4
    fit = np.array([45.0, 45.0, 40.0, 50.0])
    engagement = np.array([30.0, 29.99, 30.0, 100.0])
    assert gate.passes_vec(rules, batch, len(leads), fit, engagement).tolist() == [False, False, True, True]


# --- engagement ---------------------------------------------------------------------------------------------


def scalar_engagement(
    rules: Any,
    half_life: float,
    lead: np.ndarray,
    kinds: list[str],
    at: np.ndarray,
    assets: list[Any],
    campaigns: list[Any],
    channels: list[Any],
    as_of: np.ndarray,
    n: int,
) -> np.ndarray:
    per_lead: list[list[Activity]] = [[] for _ in range(n)]
    for j in range(lead.size):
        per_lead[int(lead[j])].append(
            Activity(f"a{j}", instant(int(at[j])), kinds[j], assets[j], campaigns[j], channels[j])
        )
    return np.array(
        [engagement_score(rules, half_life, per_lead[i], instant(int(as_of[i])))[0] for i in range(n)],
        dtype=np.float64,
    )


def as_labels(values: list[Any], mode: str) -> Any:
    if mode == "list":
        return values
    if mode == "object":
        return np.array(values, dtype=object)
    names = sorted({v for v in values if v is not None}) + ["never_used"]
    codes = np.array([-1 if v is None else names.index(v) for v in values], dtype=np.int16)
    return Coded(codes, names)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 8),
    raw=st.lists(st.tuples(st.integers(0, 7), activity_st), max_size=60),
    rules=st.lists(eng_rule(), max_size=6),
    half_life=st.sampled_from([30.0, 7.0, 0.5, 365.0]),
    per_lead_as_of=st.lists(st.sampled_from([0, 1, -1, DAY_US, -30 * DAY_US]), min_size=8, max_size=8),
    scalar_as_of=st.booleans(),
    mode=st.sampled_from(["list", "object", "coded"]),
)
def test_engagement_vec_agrees_with_engagement_score(
    n: int,
    raw: list[tuple[int, Any]],
    rules: list[Eng],
    half_life: float,
    per_lead_as_of: list[int],
    scalar_as_of: bool,
    mode: str,
) -> None:
    acts = [(i % n, a) for i, a in raw]
    lead = np.array([i for i, _ in acts], dtype=np.int64)
    kinds = [a[0] for _, a in acts]
    at = np.array([AS_OF - a[1] for _, a in acts], dtype=np.int64)
    assets, campaigns, channels = ([a[k] for _, a in acts] for k in (2, 3, 4))
    as_of = np.full(n, AS_OF, np.int64) if scalar_as_of else AS_OF + np.array(per_lead_as_of[:n], np.int64)
    got = engagement_vec(
        rules,
        half_life,
        lead,
        as_labels(kinds, mode),
        at,
        asset=as_labels(assets, mode),
        campaign=as_labels(campaigns, mode),
        channel=as_labels(channels, mode),
        as_of_us=AS_OF if scalar_as_of else as_of,
        n_leads=n,
    )
    want = scalar_engagement(rules, half_life, lead, kinds, at, assets, campaigns, channels, as_of, n)
    assert_close(got, want)


DEFAULT_KINDS = [r.kind for r in Pact().scoring.engagement] + ["page_view"]


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(1, 6),
    raw=st.lists(
        st.tuples(
            st.integers(0, 5),
            st.sampled_from(DEFAULT_KINDS),
            st.one_of(st.integers(-DAY_US, 200 * DAY_US), st.sampled_from(OFFSETS)),
        ),
        max_size=80,
    ),
)
def test_engagement_vec_agrees_under_the_default_pact(n: int, raw: list[tuple[int, str, int]]) -> None:
    scoring = Pact().scoring
    lead = np.array([i % n for i, _, _ in raw], dtype=np.int64)
    kinds = [k for _, k, _ in raw]
    at = np.array([AS_OF - age for _, _, age in raw], dtype=np.int64)
    got = engagement_vec(
        scoring.engagement,
        scoring.half_life_days,
        lead,
        np.array(kinds, dtype=str),
        at,
        as_of_us=AS_OF,
        n_leads=n,
    )
    none = [None] * len(raw)
    want = scalar_engagement(
        scoring.engagement,
        scoring.half_life_days,
        lead,
        kinds,
        at,
        none,
        none,
        none,
        np.full(n, AS_OF, np.int64),
        n,
    )
    assert_close(got, want)


def one_lead(
    rules: list[Eng], *ages_us: int, kind: str = "demo_request", half_life: float = 30.0, **filters: list[Any]
) -> float:
    """Engagement of one lead with activities of these ages (µs before AS_OF), checked against the scalar."""
    lead = np.zeros(len(ages_us), np.int64)
    at = AS_OF - np.array(ages_us, np.int64)
    kinds = [kind] * len(ages_us)
    labels = {k: filters.get(k, [None] * len(ages_us)) for k in ("asset", "campaign", "channel")}
    got = engagement_vec(rules, half_life, lead, kinds, at, as_of_us=AS_OF, n_leads=1, **labels)
    want = scalar_engagement(
        rules,
        half_life,
        lead,
        kinds,
        at,
        labels["asset"],
        labels["campaign"],
        labels["channel"],
        np.array([AS_OF]),
        1,
    )
    assert abs(got[0] - want[0]) <= TOL
    return float(got[0])


def test_decay_halves_at_each_half_life() -> None:
    demo = [Eng("demo_request", 50)]
    assert one_lead(demo, 0) == 50
    assert one_lead(demo, 30 * DAY_US) == pytest.approx(25, abs=TOL)
    assert one_lead(demo, 60 * DAY_US) == pytest.approx(12.5, abs=TOL)
    assert one_lead(demo, 15 * DAY_US) == pytest.approx(50 / math.sqrt(2), abs=TOL)
    assert one_lead(demo, 0, 30 * DAY_US, 60 * DAY_US) == pytest.approx(87.5, abs=TOL)
    assert one_lead(demo, 7 * DAY_US, half_life=7.0) == pytest.approx(25, abs=TOL)


def test_a_rules_own_half_life_overrides_the_pacts() -> None:
    rules = [Eng("demo_request", 40, half_life_days=10)]
    assert one_lead(rules, 10 * DAY_US) == pytest.approx(20, abs=TOL)
    assert one_lead(rules, 30 * DAY_US) == pytest.approx(5, abs=TOL)


def test_max_caps_the_decayed_sum_not_the_raw_points() -> None:
    views = [Eng("pricing_page_view", 10, max=30)]
    assert one_lead(views, *[0] * 5, kind="pricing_page_view") == 30  # 50 raw, capped
    assert one_lead(views, *[30 * DAY_US] * 5, kind="pricing_page_view") == pytest.approx(25, abs=TOL)
    assert one_lead(views, *[30 * DAY_US] * 6, kind="pricing_page_view") == pytest.approx(30, abs=TOL)
    assert one_lead(views, *[30 * DAY_US] * 8, kind="pricing_page_view") == 30  # 40 decayed, capped
    assert one_lead(views, kind="pricing_page_view") == 0


def test_window_days_keeps_the_edge_and_drops_a_microsecond_older() -> None:
    rules = [Eng("demo_request", 50, window_days=7)]
    edge = 50 * 0.5 ** (7 / 30)
    assert one_lead(rules, 7 * DAY_US) == pytest.approx(edge, abs=TOL)
    assert one_lead(rules, 7 * DAY_US + 1) == 0
    assert one_lead(rules, 7 * DAY_US - 1) == pytest.approx(edge, abs=1e-6)
    quarter = [Eng("demo_request", 8, window_days=0.25, half_life_days=0.25)]
    assert one_lead(quarter, DAY_US // 4, DAY_US // 4 + 1) == pytest.approx(4, abs=TOL)


def test_negative_points_subtract_and_a_cap_does_not_lift_them() -> None:
    rules = [Eng("unsubscribe", -20), Eng("unsubscribe", -5, max=10), Eng("demo_request", 50)]
    assert one_lead(rules, 0, kind="unsubscribe") == -25
    assert one_lead(rules, 0, 30 * DAY_US, kind="unsubscribe") == pytest.approx(-37.5, abs=TOL)


def test_filters_on_asset_campaign_and_channel_are_exact() -> None:
    rules = [Eng("page_view", 3, asset="/pricing"), Eng("page_view", 1, campaign="q1", channel="email")]
    assert one_lead(rules, 0, 0, 0, kind="page_view", asset=["/pricing", "/Pricing", None]) == 3
    assert one_lead(rules, 0, 0, kind="page_view", campaign=["q1", "Q1"], channel=["email", "email"]) == 1
    # no asset array at all: no activity has an asset, so an asset rule matches none
    assert engagement_vec(
        rules[:1], 30, np.zeros(1, np.int64), ["page_view"], np.array([AS_OF]), as_of_us=AS_OF, n_leads=1
    ).tolist() == [0.0]


def test_activities_after_as_of_are_ignored_and_leads_are_kept_apart() -> None:
    demo = [Eng("demo_request", 50)]
    assert one_lead(demo, -1) == 0
    assert one_lead(demo, 0, -DAY_US) == 50
    lead = np.array([2, 0, 2], np.int64)
    at = np.array([AS_OF, AS_OF - 30 * DAY_US, AS_OF + 1], np.int64)
    as_of = np.array([AS_OF, AS_OF, AS_OF + 1, AS_OF], np.int64)  # lead 2 sees its activity at AS_OF + 1
    got = engagement_vec(demo, 30, lead, ["demo_request"] * 3, at, as_of_us=as_of, n_leads=4)
    assert got[0] == pytest.approx(25, abs=TOL)
    assert got[1] == 0 and got[3] == 0
    assert got[2] == pytest.approx(50 * 0.5 ** (1 / 1e6 / 86400 / 30) + 50, abs=TOL)
    as_dt = at.astype("datetime64[us]")
    same = engagement_vec(
        demo,
        30,
        lead,
        Coded(np.zeros(3, np.int8), ["demo_request"]),
        as_dt,
        as_of_us=as_of.astype("datetime64[us]"),
        n_leads=4,
    )
    assert same.tolist() == got.tolist()


def test_engagement_vec_refuses_bad_shapes() -> None:
    demo = [Eng("demo_request", 50)]
    with pytest.raises(ValueError, match="out of range"):
        engagement_vec(
            demo, 30, np.array([3]), ["demo_request"], np.array([AS_OF]), as_of_us=AS_OF, n_leads=3
        )
    with pytest.raises(ValueError, match="as_of_us"):
        engagement_vec(
            demo, 30, np.array([0]), ["demo_request"], np.array([AS_OF]), as_of_us=np.array([1, 2]), n_leads=1
        )
    with pytest.raises(TypeError, match="Coded"):
        engagement_vec(demo, 30, np.array([0]), np.array([1]), np.array([AS_OF]), as_of_us=AS_OF, n_leads=1)
    assert engagement_vec(
        demo, 30, np.zeros(0, np.int64), [], np.zeros(0, np.int64), as_of_us=AS_OF, n_leads=2
    ).tolist() == [0.0, 0.0]


def test_nan_equals_nothing_not_even_itself() -> None:
    column = np.array([NAN, 1.0, None, "nan"], dtype=object)
    cases: list[tuple[str, Any, list[bool]]] = [
        ("eq", NAN, [False] * 4),
        ("in", [NAN, 1], [False, True, False, False]),
        ("ne", NAN, [True] * 4),
        ("not_in", [NAN], [True] * 4),
        ("eq", "nan", [False, False, False, True]),
        ("exists", None, [True, True, False, True]),
    ]
    for op, value, want in cases:
        assert condition_vec("x", op, value, {"x": column}, 4).tolist() == want, (op, value)
        assert want == [evaluate_condition(op, v, value) for v in column.tolist()]


def test_a_cap_at_or_below_zero_leaves_a_lead_without_activities_at_zero() -> None:
    rules = [Eng("demo_request", 10, max=-5.0)]
    got = engagement_vec(
        rules, 30, np.array([0]), ["demo_request"], np.array([AS_OF]), as_of_us=AS_OF, n_leads=2
    )
    assert got.tolist() == [-5.0, 0.0]


def test_a_float_column_keeps_minus_zero_apart_for_matches() -> None:
    column = np.array([0.0, -0.0, 1.5, -0.0])
    assert condition_vec("x", "matches", "^-", {"x": column}, 4).tolist() == [False, True, False, True]
    assert condition_vec("x", "eq", 0, {"x": column}, 4).tolist() == [True, True, False, True]


def test_true_is_not_merged_with_one_when_factorising() -> None:
    column = np.array([1, True, None, "x", 1], dtype=object)
    for op, value in (("between", [1, 1]), ("<=", 200), ("eq", 1), ("matches", "^1$")):
        want = [evaluate_condition(op, v, value) for v in column.tolist()]
        assert condition_vec("x", op, value, {"x": column}, 5).tolist() == want, op
        assert condition_vec("x", op, value, {"x": column.tolist()}, 5).tolist() == want, op
