"""The learning commands' charts: valid Vega-Lite, drawing the documents' own numbers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from leadpact.charts.learning import backtest_chart, curve_chart, drift_chart, whatif_chart
from leadpact.domain.calibration import session_report
from leadpact.domain.curve import curve_of

REPLAY = {
    "current": {"mql_count": 120, "by_tier": {"high": {"mql_count": 50}, "low": {"mql_count": 70}}},
    "proposed": {"mql_count": 90, "by_tier": {"high": {"mql_count": 48}, "medium": {"mql_count": 2}}},
}
CURVE = curve_of(np.asarray([1.0, 3.0, 12.0, 90.0, math.nan]), np.asarray([True, False, True, False, False]))
REPORT = session_report(
    [{"band": "B1", "marketing": "yes", "sales": "no", "outcome": "accepted", "reached_sql": False,
      "lead_id": "L1", "n": 1, "fit": 40.0, "engagement": 30.0, "source": "content"}],
    [{"band": "B1", "low": 0, "high": 70, "handoffs": 10, "acceptance_rate": 0.6, "sql_rate": 0.1},
     {"band": "B2", "low": 70, "high": 99, "handoffs": 10, "acceptance_rate": 0.8, "sql_rate": None}],
)  # fmt: skip
CAPACITY = {"backtest": {"by_week": [{"week": "2026-W10", "predicted": 0.9, "measured": 0.7},
                                     {"week": "2026-W11", "predicted": None, "measured": 0.5}]}}  # fmt: skip


def _values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(spec.get("data", {}).get("values", []))
    for dataset in spec.get("datasets", {}).values():
        rows += dataset
    for layer in spec.get("layer", []):
        rows += layer.get("data", {}).get("values", [])
    return rows


@pytest.mark.parametrize(
    ("make", "doc"),
    [
        (whatif_chart, REPLAY),
        (curve_chart, CURVE),
        (drift_chart, REPORT),
        (backtest_chart, CAPACITY),
    ],
)
def test_each_learning_chart_is_valid_vega_lite(make: Any, doc: Any) -> None:
    import jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    spec = make(doc)
    jsonschema.validate(spec, load_schema())
    assert spec["width"] == "container" and _values(spec)


def test_the_charts_draw_the_documents_numbers() -> None:
    whatif = {(r["group"], r["pact"]): r["mqls"] for r in _values(whatif_chart(REPLAY))}
    assert whatif[("all", "in force")] == 120 and whatif[("low", "proposed")] == 0
    assert whatif[("medium", "proposed")] == 2
    curve = {r["label"]: r["sql_rate"] for r in _values(curve_chart(CURVE))}
    assert curve["≤5m"] == 0.5 and ">24h" not in curve  # an empty bucket is not drawn
    drift = _values(drift_chart(REPORT))
    assert {"band": "B2", "measure": "accepted", "rate": 0.8} in drift and len(drift) == 3
    assert len(_values(backtest_chart(CAPACITY))) == 3
