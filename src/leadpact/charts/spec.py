"""What every chart shares: the status colours, the document and spec types, the container sizing and the
inline data (Altair imported inside the functions that use it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Doc = Mapping[str, Any]
Spec = dict[str, Any]

MET, AT_RISK, MISSED, NEUTRAL, PLAN = "#2b8a3e", "#e8a317", "#c92a2a", "#3b5bdb", "#1d2330"
STATUS_COLOURS = {"met": MET, "at_risk": AT_RISK, "missed": MISSED, "none": "#adb5bd"}
NONE_KEY = "(none)"  # the metrics' group for rows without the attribute


def finish(chart: Any, *, height: int = 180) -> Spec:
    chart = chart.properties(width="container", height=height).configure_view(stroke=None)
    chart = chart.configure_axis(labelFontSize=12, titleFontSize=12, grid=False)
    chart = chart.configure_legend(orient="bottom", labelFontSize=12, titleFontSize=12)
    # validated against the Vega-Lite schema by the tests (tests/unit/test_charts.py), not on every request
    spec: Spec = chart.to_dict(validate=False)
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def data(rows: list[dict[str, Any]]) -> Any:
    import altair as alt

    return alt.InlineData(values=rows)


def status_scale() -> Any:
    import altair as alt

    return alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values()))
