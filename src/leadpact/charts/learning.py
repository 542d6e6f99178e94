"""Charts of the learning commands (DESIGN.md §13): replay's what-if, the response curve, the score drift of
`calibrate report`, and capacity's backtest."""

from __future__ import annotations

from typing import Any

from leadpact.charts.spec import (
    AT_RISK,
    MISSED,
    PLAN,
    Doc,
    Spec,
    data,
    finish,
)
from leadpact.domain.scoring import TIERS


def _grouped(rows: list[dict[str, Any]], key: str, series: str, value: str, title: str, fmt: str) -> Spec:
    """Horizontal bars of `value` per `key`, one bar per `series` inside each group."""
    import altair as alt

    chart = (
        alt.Chart(data(rows))
        .mark_bar()
        .encode(
            y=alt.Y(f"{key}:N", title=None, sort=list(dict.fromkeys(r[key] for r in rows))),
            yOffset=alt.YOffset(f"{series}:N", sort=list(dict.fromkeys(r[series] for r in rows))),
            x=alt.X(f"{value}:Q", title=title, axis=alt.Axis(format=fmt)),
            color=alt.Color(f"{series}:N", title=None, scale=alt.Scale(range=[PLAN, AT_RISK])),
            tooltip=[f"{key}:N", f"{series}:N", alt.Tooltip(f"{value}:Q", format=fmt)],
        )
    )
    groups = len({r[key] for r in rows})
    return finish(chart, height=max(80, 44 * groups))


def whatif_chart(replay: Doc) -> Spec:
    """MQLs in all and by tier, in force against proposed (`leadpact replay --json`)."""
    rows = [
        {
            "group": group,
            "pact": label,
            "mqls": (doc if group == "all" else doc["by_tier"].get(group) or {}).get("mql_count") or 0,
        }
        for side, label in (("current", "in force"), ("proposed", "proposed"))
        for doc in (replay[side],)
        for group in ("all", *TIERS)
    ]
    return _grouped(rows, "group", "pact", "mqls", "MQLs", ",.0f")


def curve_chart(curve: Doc) -> Spec:
    """SQL rate by first-contact bucket with its 95% interval (`leadpact curve --json`)."""
    import altair as alt

    rows = [b for b in curve["buckets"] if b["handoffs"]]
    order = [b["label"] for b in rows]
    base = alt.Chart(data(rows)).encode(x=alt.X("label:N", title="first contact", sort=order))
    bars = base.mark_bar(color=PLAN).encode(
        y=alt.Y("sql_rate:Q", title="reached SQL", axis=alt.Axis(format="%")),
        tooltip=["label:N", "handoffs:Q", alt.Tooltip("sql_rate:Q", format=".1%")],
    )
    interval = base.mark_rule(color=MISSED).encode(y="low:Q", y2="high:Q")
    return finish(alt.layer(bars, interval), height=200)


def drift_chart(report: Doc) -> Spec:
    """Acceptance and SQL rate of the period's MQLs by score band (`leadpact calibrate report --json`)."""
    rows = [
        {"band": b["band"], "measure": measure, "rate": b[key]}
        for b in report["drift"]["bands"]
        for measure, key in (("accepted", "acceptance_rate"), ("reached SQL", "sql_rate"))
        if b[key] is not None
    ]
    return _grouped(rows, "band", "measure", "rate", "share of the band's MQLs", "%")


def backtest_chart(capacity: Doc) -> Spec:
    """Predicted against measured high-intent compliance, week by week (`leadpact capacity --json`)."""
    import altair as alt

    rows = [
        {"week": w["week"], "series": series, "compliance": w[key]}
        for w in capacity["backtest"]["by_week"]
        for series, key in (("predicted", "predicted"), ("measured", "measured"))
        if w[key] is not None
    ]
    chart = (
        alt.Chart(data(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("week:O", title=None),
            y=alt.Y("compliance:Q", title="contacted within the clock", axis=alt.Axis(format="%")),
            color=alt.Color("series:N", title=None, scale=alt.Scale(range=[PLAN, AT_RISK])),
            tooltip=["week:O", "series:N", alt.Tooltip("compliance:Q", format=".1%")],
        )
    )
    return finish(chart, height=200)
