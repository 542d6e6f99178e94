"""Time in each stage and the funnel-leak audit, hand-computed."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

from leadpact.domain.metrics.facts import HandoffFacts
from leadpact.domain.metrics.funnel import PlanRates, funnel_leak, pct, stage_times

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
AS_OF = datetime(2026, 9, 1, tzinfo=UTC)
PLAN = PlanRates(acceptance_min=0.7, mql_to_sql=0.3, sql_to_opp=0.5, close=0.25)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def facts(lead_id: str, **values: Any) -> HandoffFacts:
    base: dict[str, Any] = {f.name: None for f in fields(HandoffFacts)}
    base.update(lead_id=lead_id, n=1, kind="mql", touches=0, flags="[]", mql_at=T0)
    base.update(values)
    return HandoffFacts(**base)


def accepted(lead_id: str, at: float, **values: Any) -> HandoffFacts:
    return facts(lead_id, disposition="accepted", disposition_at=day(at), **values)


COHORT = [
    accepted("H1", 1, sql_at=day(3), opportunity_at=day(5), customer_at=day(35)),
    accepted("H2", 2, sql_at=day(6)),
    facts("H3", disposition="rejected", disposition_at=day(0.5), rejected_at=day(0.5)),
    facts("H4", sql_at=day(4)),  # an SQL with no acceptance: no SAL step
    accepted("H5", 3, sql_at=day(2)),  # SQL stamped before the SAL: not a duration
    facts("H6"),
]


# --- time in each stage ------------------------------------------------------------------------


def test_time_in_each_stage() -> None:
    times = stage_times(COHORT, AS_OF)
    assert times == {
        "mql_to_sal": {"count": 3, "median_days": 2.0, "mean_days": 2.0},  # 1, 2, 3
        "sal_to_sql": {"count": 2, "median_days": 3.0, "mean_days": 3.0},  # H1 2, H2 4 (H5 out of order)
        "sql_to_opportunity": {"count": 1, "median_days": 2.0, "mean_days": 2.0},
        "opportunity_to_customer": {"count": 1, "median_days": 30.0, "mean_days": 30.0},
    }


def test_an_even_count_takes_the_mean_of_the_two_middle_values() -> None:
    cohort = [accepted(f"E{i}", d) for i, d in enumerate([1, 2, 4, 9])]
    assert stage_times(cohort, AS_OF)["mql_to_sal"] == {"count": 4, "median_days": 3.0, "mean_days": 4.0}


def test_a_step_counts_once_its_later_instant_is_known_as_of() -> None:
    times = stage_times(COHORT, as_of=day(10))
    assert times["opportunity_to_customer"] == {"count": 0, "median_days": None, "mean_days": None}
    assert times["sql_to_opportunity"]["count"] == 1
    times = stage_times(COHORT, as_of=day(1.5))
    assert times["mql_to_sal"] == {"count": 1, "median_days": 1.0, "mean_days": 1.0}
    assert stage_times([], AS_OF)["mql_to_sal"] == {"count": 0, "median_days": None, "mean_days": None}


# --- the funnel-leak audit ---------------------------------------------------------------------


def cohort_of(mqls: int, disposed: int, accepted_: int, sqls: int, opps: int, won: int) -> list[HandoffFacts]:
    """`mqls` handoffs: the first `disposed` with a disposition (`accepted_` of them accepted), the first
    `sqls` reached SQL, the first `opps` an opportunity, the first `won` a customer."""
    out = []
    for i in range(mqls):
        out.append(
            facts(
                f"L{i}",
                disposition=None if i >= disposed else ("accepted" if i < accepted_ else "rejected"),
                disposition_at=day(1) if i < disposed else None,
                sql_at=day(2) if i < sqls else None,
                opportunity_at=day(3) if i < opps else None,
                customer_at=day(4) if i < won else None,
            )
        )
    return out


def test_the_stage_that_loses_most_against_the_plan_comes_first() -> None:
    leak = funnel_leak(cohort_of(10, 8, 6, 4, 1, 0), PLAN, AS_OF)
    assert [line["stage"] for line in leak] == [
        "opportunity_to_customer",  # 0 against 25%: ratio 0
        "sql_to_opportunity",  # 25% against 50%: ratio 0.5
        "mql_to_sal",  # 75% against 70%: ratio 1.07
        "mql_to_sql",  # 40% against 30%: ratio 1.33
    ]
    by = {line["stage"]: line for line in leak}
    assert by["sql_to_opportunity"] == {
        "stage": "sql_to_opportunity",
        "label": "SQL→opportunity",
        "entered": 4,
        "passed": 1,
        "rate": 0.25,
        "plan": 0.5,
        "ratio": 0.5,
        "shortfall": 1.0,
        "finding": "SQL→opportunity converts 25% against a plan of 50%: 1 opportunity short",
    }
    assert by["opportunity_to_customer"]["shortfall"] == 0.25
    assert by["opportunity_to_customer"]["finding"] == (
        "opportunity→customer converts 0% against a plan of 25%: 0.25 customers short"
    )
    assert by["mql_to_sal"]["entered"] == 8 and by["mql_to_sal"]["passed"] == 6
    assert by["mql_to_sal"]["shortfall"] == -0.4  # exact: 0.7 × 8 − 6
    assert by["mql_to_sal"]["finding"] == (
        "MQL→SAL acceptance is 75% against a minimum of 70%: 0.4 SALs ahead of plan"
    )
    assert by["mql_to_sql"]["finding"] == "MQL→SQL converts 40% against a plan of 30%: 1 SQL ahead of plan"


def test_the_finding_names_the_shortfall_in_leads() -> None:
    # 100 SQLs, 31 opportunities: 50 would have passed at the plan's 50%
    leak = funnel_leak(cohort_of(100, 0, 0, 100, 31, 0), PLAN, AS_OF)
    line = next(line for line in leak if line["stage"] == "sql_to_opportunity")
    assert line["shortfall"] == 19.0
    assert line["finding"] == "SQL→opportunity converts 31% against a plan of 50%: 19 opportunities short"


def test_a_null_rate_comes_last_and_says_why() -> None:
    leak = funnel_leak(cohort_of(5, 5, 2, 0, 0, 0), PLAN, AS_OF)
    assert [line["stage"] for line in leak] == [
        "mql_to_sql",  # 0 against 30%
        "mql_to_sal",  # 40% against 70%: ratio 0.57
        "sql_to_opportunity",  # no SQLs: no rate
        "opportunity_to_customer",  # no opportunities: no rate
    ]
    last = leak[-2]
    assert last["rate"] is None and last["ratio"] is None and last["shortfall"] is None
    assert last["entered"] == 0 and last["passed"] == 0
    assert last["finding"] == "SQL→opportunity: no SQLs in the cohort yet, no rate"
    assert leak[-1]["finding"] == "opportunity→customer: no opportunities in the cohort yet, no rate"
    assert leak[0]["shortfall"] == 1.5  # 0.3 × 5
    assert leak[1]["shortfall"] == 1.5  # 0.7 × 5 − 2


def test_equal_ratios_put_the_larger_shortfall_first() -> None:
    # acceptance 0 of 10 (short 7), opportunity→customer 0 of 2 (short 0.5): both at ratio 0
    cohort = cohort_of(10, 10, 0, 10, 2, 0)
    assert [line["stage"] for line in funnel_leak(cohort, PLAN, AS_OF)][:2] == [
        "mql_to_sal",
        "opportunity_to_customer",
    ]


def test_a_plan_of_zero_has_no_ratio_and_sorts_after_those_that_do() -> None:
    plan = PlanRates(acceptance_min=0.0, mql_to_sql=0.3, sql_to_opp=0.5, close=0.25)
    leak = funnel_leak(cohort_of(10, 10, 5, 3, 1, 1), plan, AS_OF)
    assert leak[-1]["stage"] == "mql_to_sal" and leak[-1]["ratio"] is None
    assert leak[-1]["shortfall"] == -5.0
    assert leak[-1]["finding"] == "MQL→SAL acceptance is 50% against a minimum of 0%: 5 SALs ahead of plan"


def test_on_plan() -> None:
    leak = funnel_leak(cohort_of(10, 10, 7, 3, 2, 1), PLAN, AS_OF)
    assert {line["stage"]: line["finding"] for line in leak}["mql_to_sal"] == (
        "MQL→SAL acceptance is 70% against a minimum of 70%: on plan"
    )


def test_the_audit_reads_the_cohort_as_of() -> None:
    # as of day 2.5 the opportunities (day 3) have not happened yet
    leak = funnel_leak(cohort_of(10, 8, 6, 4, 1, 0), PLAN, as_of=day(2.5))
    by = {line["stage"]: line for line in leak}
    assert by["sql_to_opportunity"]["passed"] == 0 and by["sql_to_opportunity"]["rate"] == 0.0
    assert by["opportunity_to_customer"]["rate"] is None
    leak = funnel_leak(cohort_of(10, 8, 6, 4, 1, 0), PLAN, as_of=T0 - timedelta(days=1))
    assert all(line["entered"] == 0 for line in leak)


def test_percentages() -> None:
    assert [pct(v) for v in (0.31, 0.5, 0.175, 1 / 3, 0.0, 1.0)] == [
        "31%",
        "50%",
        "17.5%",
        "33.3%",
        "0%",
        "100%",
    ]
