"""The MQL gate, one rule read two ways: per lead (`passes`, the replay) and per batch (`passes_vec`, the
rescore) agree on every lead, segments and thresholds included; re-handoff windows are exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadpact.domain import gate
from leadpact.domain.lead_columns import lead_columns
from leadpact.domain.rules import rules_from_pact
from leadpact.pact import Pact

EMPLOYEES = st.one_of(st.none(), st.integers(0, 20_000), st.sampled_from(["1,200", "", " 999 ", "many"]))
COUNTRY = st.one_of(st.none(), st.sampled_from(["US", "us", "DE", "GB", ""]))
LEAD = st.fixed_dictionaries(
    {"employees": EMPLOYEES, "country": COUNTRY, "email": st.sampled_from(["a@x.com", None])}
)
CONDITIONS = [
    None,
    {"field": "employees", "op": ">=", "value": 1000},
    {"field": "employees", "op": "between", "value": [50, 999]},
    {"field": "country", "op": "in", "value": ["US", "CA"]},
    {"field": "email", "op": "email_domain_in", "value": ["x.com"]},
]
SEGMENT = st.fixed_dictionaries(
    {"when": st.sampled_from(CONDITIONS), "fit": st.integers(0, 65), "engagement": st.integers(0, 90)}
)


def _pact(segments: list[dict[str, Any]]) -> Pact:
    data = Pact().model_dump(mode="json")
    data["segments"] = {
        f"s{i}": {"mql": {"fit": seg["fit"], "engagement": seg["engagement"]}}
        | ({"when": seg["when"]} if seg["when"] is not None else {})
        for i, seg in enumerate(segments)
    }
    return Pact.model_validate(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    segments=st.lists(SEGMENT, max_size=4),
    leads=st.lists(LEAD, min_size=1, max_size=30),
    scores=st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100)), min_size=30, max_size=30),
)
def test_the_gate_per_lead_and_per_batch_agree(
    segments: list[dict[str, Any]], leads: list[dict[str, Any]], scores: list[tuple[float, float]]
) -> None:
    rules = rules_from_pact(_pact(segments))
    n = len(leads)
    fit = np.array([s[0] for s in scores[:n]])
    engagement = np.array([s[1] for s in scores[:n]])
    columns = lead_columns(leads, gate.gate_fields(rules))
    fit_min, engagement_min = gate.thresholds_vec(rules, columns, n)
    assert list(zip(fit_min.tolist(), engagement_min.tolist(), strict=True)) == [
        gate.thresholds(rules, lead) for lead in leads
    ]
    assert gate.passes_vec(rules, columns, n, fit, engagement).tolist() == [
        gate.passes(rules, lead, float(f), float(e))
        for lead, f, e in zip(leads, fit, engagement, strict=True)
    ]


def test_the_re_handoff_window_counts_cycles_and_days_exactly() -> None:
    rules = rules_from_pact(Pact())  # within 30 days, 3 cycles in all, gain 25 or a demo/pricing request
    recycled = datetime(2026, 3, 2, 15, tzinfo=UTC)
    assert gate.rehandoff_open(rules, 1, recycled, recycled)
    assert gate.rehandoff_open(rules, 2, recycled, recycled + timedelta(days=30))
    assert not gate.rehandoff_open(rules, 2, recycled, recycled + timedelta(days=30, microseconds=1))
    assert not gate.rehandoff_open(rules, 3, recycled, recycled + timedelta(days=1))  # max_cycles reached
    assert not gate.rehandoff_open(rules, 1, recycled, recycled - timedelta(microseconds=1))
    assert gate.rehandoff_triggered(rules, "demo_request", 0.0)
    assert gate.rehandoff_triggered(rules, None, 25.0) and not gate.rehandoff_triggered(
        rules, "page_view", 24.9
    )
