"""The charts' Vega-Lite specs: valid against the Vega-Lite schema, and drawing the document's own
numbers, never recomputed ones."""

from __future__ import annotations

from typing import Any

import pytest

from leadpact.charts.metrics import (
    acceptance_by_source_chart,
    compliance_by_tier_chart,
    funnel_chart,
    pace_chart,
    pipeline_by_source_chart,
    reasons_chart,
    reasons_trend_chart,
    volume_by_source_chart,
    volume_trend_chart,
)
from leadpact.domain.scorecard import status_of

DOC: dict[str, Any] = {
    "period": "2026-03",
    "mql_count": 120,
    "mql_target": 355.56,
    "mql_pace": 0.83,
    "projected": 296.4,
    "reasons": {
        "wrong_job_function": {
            "count": 14,
            "share": 0.41,
            "flagged": True,
            "action": "adjust persona targeting",
        },
        "competitor": {"count": 3, "share": 0.09, "flagged": False, "action": "exclude competitor domains"},
    },
    "by_tier": {
        "high": {"response_compliance": 0.95},
        "low": {"response_compliance": 0.5},
        "medium": {"response_compliance": None},
        "(none)": {"response_compliance": 0.1},
    },
    "by_source": {
        "webinar": {
            "mql_count": 80,
            "mql_target": 88.9,
            "mql_pace": 1.1,
            "acceptance_rate": 0.8,
            "pipeline": {"total": 300000.0},
        },
        "outbound": {"mql_count": 4, "acceptance_rate": None, "pipeline": {"total": 50000.0}},
    },
    "funnel_leak": [
        {
            "stage": "mql_to_sql",
            "label": "MQL→SQL",
            "entered": 120,
            "passed": 12,
            "rate": 0.1,
            "plan": 0.3,
            "ratio": 0.33,
        },
        {
            "stage": "mql_to_sal",
            "label": "MQL→SAL acceptance",
            "entered": 100,
            "passed": 75,
            "rate": 0.75,
            "plan": 0.7,
            "ratio": 1.07,
        },
        {
            "stage": "opportunity_to_customer",
            "label": "opportunity→customer",
            "entered": 0,
            "passed": 0,
            "rate": None,
            "plan": 0.25,
            "ratio": None,
        },
    ],
}


def values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every data row of a spec, its layers' and its named datasets' included."""
    rows = list(spec.get("data", {}).get("values", []))
    for dataset in spec.get("datasets", {}).values():
        rows += dataset
    for layer in spec.get("layer", []):
        rows += layer.get("data", {}).get("values", [])
    return rows


@pytest.mark.parametrize(
    "make",
    [
        pace_chart,
        pipeline_by_source_chart,
        funnel_chart,
        reasons_chart,
        volume_by_source_chart,
        lambda d: compliance_by_tier_chart(d, target=0.9),
        lambda d: acceptance_by_source_chart(d, target=0.7),
        lambda d: reasons_trend_chart([d, {**d, "period": "2026-04"}]),
        lambda d: volume_trend_chart([d]),
    ],
)
def test_every_chart_is_a_vega_lite_spec_that_fits_its_container(make: Any) -> None:
    import jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    spec = make(DOC)
    jsonschema.validate(spec, load_schema())  # the specs skip Altair's validation at run time
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert spec["width"] == "container"
    assert values(spec), "a chart with no data drawn"


def test_the_pace_chart_draws_the_count_the_projection_and_the_target_of_the_document() -> None:
    rows = values(pace_chart(DOC))
    assert {"measure": "so far", "mqls": 120, "status": "none"} in rows
    assert {"measure": "projected", "mqls": 296.4, "status": "at_risk"} in rows
    assert {"target": 355.56} in rows


def test_compliance_by_tier_leaves_out_tiers_without_a_rate_and_the_none_group() -> None:
    rows = values(compliance_by_tier_chart(DOC, target=0.9))
    assert [(r["tier"], r["compliance"], r["status"]) for r in rows if "tier" in r] == [
        ("high", 0.95, "met"),
        ("low", 0.5, "missed"),
    ]


def test_the_funnel_names_its_largest_leak_in_red_and_keeps_funnel_order() -> None:
    rows = [r for r in values(funnel_chart(DOC)) if "stage" in r]
    assert [(r["stage"], r["rate"], r["status"]) for r in rows] == [
        ("MQL→SAL acceptance", 0.75, "met"),
        ("MQL→SQL", 0.1, "missed"),
    ]


def test_reasons_flagged_in_red_largest_first_with_their_actions() -> None:
    rows = values(reasons_chart(DOC))
    assert [(r["reason"], r["count"], r["status"], r["action"]) for r in rows] == [
        ("wrong_job_function", 14, "missed", "adjust persona targeting"),
        ("competitor", 3, "none", "exclude competitor domains"),
    ]


def test_volume_by_source_carries_each_source_target_and_pace() -> None:
    rows = values(volume_by_source_chart(DOC))
    assert rows[0] == {"source": "webinar", "mqls": 80, "target": 88.9, "pace": 1.1, "status": "met"}
    assert rows[1]["target"] is None and rows[1]["status"] == "none"


def test_status_of() -> None:
    assert status_of(0.9, 0.9) == "met"
    assert status_of(0.82, 0.9) == "at_risk"
    assert status_of(0.5, 0.9) == "missed"
    assert status_of(None, 0.9) == "none"
