"""Charts of the `metrics --json` document, as the dashboard and the reviews draw them: one period's (pace,
tiers, pipeline, funnel, reasons, sources) and several periods' (one a period, oldest first: the trends)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leadpact.charts.spec import (
    NEUTRAL,
    NONE_KEY,
    PLAN,
    Doc,
    Spec,
    data,
    finish,
    status_scale,
)
from leadpact.domain.scorecard import largest_leak, status_of
from leadpact.domain.scoring import TIERS

FUNNEL_ORDER = ("mql_to_sal", "mql_to_sql", "sql_to_opportunity", "opportunity_to_customer")


def pace_chart(doc: Doc) -> Spec:
    """The month's MQLs so far and projected to its end, against the target (a rule)."""
    import altair as alt

    target = doc.get("mql_target")
    pace = doc.get("mql_pace")
    rows = [
        {"measure": "so far", "mqls": doc.get("mql_count", 0), "status": "none"},
        {
            "measure": "projected",
            "mqls": doc.get("projected") or 0,
            "status": status_of(pace, 1.0, at_risk=0.8),
        },
    ]
    base = alt.Chart(data(rows))
    bars = base.mark_bar(height=22).encode(
        y=alt.Y("measure:N", title=None, sort=["so far", "projected"]),
        x=alt.X("mqls:Q", title="MQLs"),
        color=alt.Color("status:N", scale=status_scale(), legend=None),
        tooltip=[alt.Tooltip("measure:N"), alt.Tooltip("mqls:Q", format=",.0f")],
    )
    layers = [bars]
    if target:
        rule = (
            alt.Chart(data([{"target": target}]))
            .mark_rule(color=PLAN, strokeWidth=2)
            .encode(x="target:Q", tooltip=[alt.Tooltip("target:Q", format=",.1f", title="target")])
        )
        layers.append(rule)
    return finish(alt.layer(*layers), height=80)


def compliance_by_tier_chart(doc: Doc, *, target: float | None = None) -> Spec:
    """First-contact compliance per intent tier, coloured by status against `target` (a rule)."""

    by_tier = doc.get("by_tier") or {}
    rows = [
        {
            "tier": tier,
            "compliance": by_tier[tier].get("response_compliance"),
            "status": status_of(by_tier[tier].get("response_compliance"), target),
        }
        for tier in [*TIERS, *sorted(set(by_tier) - set(TIERS) - {NONE_KEY})]
        if tier in by_tier and by_tier[tier].get("response_compliance") is not None
    ]
    return _rate_bars(rows, "tier", "compliance", "first contact within SLA", target)


def _rate_bars(rows: list[dict[str, Any]], key: str, value: str, title: str, target: float | None) -> Spec:
    import altair as alt

    base = alt.Chart(data(rows))
    bars = base.mark_bar().encode(
        y=alt.Y(f"{key}:N", title=None, sort=[r[key] for r in rows]),
        x=alt.X(f"{value}:Q", title=title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("status:N", scale=status_scale(), legend=None),
        tooltip=[alt.Tooltip(f"{key}:N"), alt.Tooltip(f"{value}:Q", format=".1%")],
    )
    layers = [bars]
    if target is not None:
        layers.append(
            alt.Chart(data([{"target": target}]))
            .mark_rule(color=PLAN, strokeDash=[4, 3], strokeWidth=2)
            .encode(x="target:Q", tooltip=[alt.Tooltip("target:Q", format=".0%", title="target")])
        )
    return finish(alt.layer(*layers), height=max(60, 28 * len(rows)))


def pipeline_by_source_chart(doc: Doc) -> Spec:
    """Pipeline (opportunity amount) per lead source, largest first."""
    import altair as alt

    rows = sorted(
        (
            {"source": source, "pipeline": (m.get("pipeline") or {}).get("total") or 0.0}
            for source, m in (doc.get("by_source") or {}).items()
        ),
        key=lambda r: -r["pipeline"],
    )
    chart = (
        alt.Chart(data(rows))
        .mark_bar(color=NEUTRAL)
        .encode(
            y=alt.Y("source:N", title=None, sort=[r["source"] for r in rows]),
            x=alt.X("pipeline:Q", title="pipeline", axis=alt.Axis(format="$,.2s")),
            tooltip=[alt.Tooltip("source:N"), alt.Tooltip("pipeline:Q", format="$,.0f")],
        )
    )
    return finish(chart, height=max(60, 24 * len(rows)))


def funnel_chart(doc: Doc) -> Spec:
    """Each stage's conversion against the plan's rate (a tick), in funnel order; the largest leak (the
    audit's first stage when it is behind plan) in red."""
    import altair as alt

    leak = list(doc.get("funnel_leak") or [])
    largest = largest_leak(doc)
    worst = largest["stage"] if largest else None
    order = {stage: i for i, stage in enumerate(FUNNEL_ORDER)}
    rows = [
        {
            "stage": line["label"],
            "rate": line["rate"],
            "plan": line["plan"],
            "entered": line["entered"],
            "passed": line["passed"],
            "status": "missed" if line["stage"] == worst else status_of(line["rate"], line["plan"]),
        }
        for line in sorted(leak, key=lambda line: order.get(line["stage"], 99))
        if line.get("rate") is not None
    ]
    labels = [r["stage"] for r in rows]
    base = alt.Chart(data(rows))
    bars = base.mark_bar().encode(
        y=alt.Y("stage:N", title=None, sort=labels),
        x=alt.X("rate:Q", title="conversion", axis=alt.Axis(format="%")),
        color=alt.Color("status:N", scale=status_scale(), legend=None),
        tooltip=[
            alt.Tooltip("stage:N"),
            alt.Tooltip("rate:Q", format=".1%"),
            alt.Tooltip("plan:Q", format=".1%"),
            alt.Tooltip("entered:Q"),
            alt.Tooltip("passed:Q"),
        ],
    )
    ticks = base.mark_tick(color=PLAN, thickness=2, size=24).encode(
        y=alt.Y("stage:N", sort=labels), x="plan:Q"
    )
    return finish(alt.layer(bars, ticks), height=max(60, 30 * len(rows)))


def reasons_chart(doc: Doc) -> Spec:
    """Rejection and disqualification reasons by count; a flagged reason (over the pact's share) in red."""
    import altair as alt

    reasons = doc.get("reasons") or {}
    rows = sorted(
        (
            {
                "reason": reason,
                "count": r["count"],
                "share": r["share"],
                "status": "missed" if r.get("flagged") else "none",
                "action": r.get("action") or "",
            }
            for reason, r in reasons.items()
        ),
        key=lambda r: -r["count"],
    )
    chart = (
        alt.Chart(data(rows))
        .mark_bar()
        .encode(
            y=alt.Y("reason:N", title=None, sort=[r["reason"] for r in rows]),
            x=alt.X("count:Q", title="rejections and disqualifications"),
            color=alt.Color("status:N", scale=status_scale(), legend=None),
            tooltip=[
                alt.Tooltip("reason:N"),
                alt.Tooltip("count:Q"),
                alt.Tooltip("share:Q", format=".1%"),
                alt.Tooltip("action:N"),
            ],
        )
    )
    return finish(chart, height=max(60, 24 * len(rows)))


def _sources(doc: Doc) -> list[str]:
    by_source = doc.get("by_source") or {}
    return sorted(by_source, key=lambda s: (s == NONE_KEY, -(by_source[s].get("mql_count") or 0), s))


def volume_by_source_chart(doc: Doc) -> Spec:
    """MQLs per source against the source's target (a tick), coloured by pace."""
    import altair as alt

    by_source = doc.get("by_source") or {}
    rows = [
        {
            "source": s,
            "mqls": by_source[s].get("mql_count") or 0,
            "target": by_source[s].get("mql_target"),
            "pace": by_source[s].get("mql_pace"),
            "status": status_of(by_source[s].get("mql_pace"), 1.0, at_risk=0.8),
        }
        for s in _sources(doc)
    ]
    labels = [r["source"] for r in rows]
    base = alt.Chart(data(rows))
    bars = base.mark_bar().encode(
        y=alt.Y("source:N", title=None, sort=labels),
        x=alt.X("mqls:Q", title="MQLs"),
        color=alt.Color("status:N", scale=status_scale(), legend=None),
        tooltip=[
            alt.Tooltip("source:N"),
            alt.Tooltip("mqls:Q"),
            alt.Tooltip("target:Q", format=",.1f"),
            alt.Tooltip("pace:Q", format=".1%"),
        ],
    )
    ticks = (
        base.transform_filter("datum.target != null")
        .mark_tick(color=PLAN, thickness=2, size=20)
        .encode(y=alt.Y("source:N", sort=labels), x="target:Q")
    )
    return finish(alt.layer(bars, ticks), height=max(60, 26 * len(rows)))


def acceptance_by_source_chart(doc: Doc, *, target: float | None = None) -> Spec:
    """Acceptance rate per source, against the pact's minimum (a rule)."""
    by_source = doc.get("by_source") or {}
    rows = [
        {
            "source": s,
            "acceptance": by_source[s].get("acceptance_rate"),
            "status": status_of(by_source[s].get("acceptance_rate"), target),
        }
        for s in _sources(doc)
        if by_source[s].get("acceptance_rate") is not None
    ]
    return _rate_bars(rows, "source", "acceptance", "acceptance", target)


def reasons_trend_chart(docs: Sequence[Doc]) -> Spec:
    """Rejection and disqualification reasons per period (one document a period, oldest first), stacked."""
    import altair as alt

    rows = [
        {"period": d["period"], "reason": reason, "count": r["count"], "action": r.get("action") or ""}
        for d in docs
        for reason, r in (d.get("reasons") or {}).items()
    ]
    chart = (
        alt.Chart(data(rows))
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=None, sort=[d["period"] for d in docs]),
            y=alt.Y("count:Q", title="rejections and disqualifications"),
            color=alt.Color(
                "reason:N",
                title="reason",
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(columns=2, labelLimit=160, symbolLimit=0),  # fits a phone's width
            ),
            tooltip=[alt.Tooltip("period:O"), alt.Tooltip("reason:N"), alt.Tooltip("count:Q"), "action:N"],
        )
    )
    return finish(chart, height=220)


def volume_trend_chart(docs: Sequence[Doc]) -> Spec:
    """MQLs per period (one document a period, oldest first) against each period's target."""
    import altair as alt

    rows = [
        {
            "period": d["period"],
            "mqls": d.get("mql_count") or 0,
            "target": d.get("mql_target"),
            "status": status_of(d.get("mql_pace"), 1.0, at_risk=0.8),
        }
        for d in docs
    ]
    order = [d["period"] for d in docs]
    base = alt.Chart(data(rows))
    bars = base.mark_bar().encode(
        x=alt.X("period:O", title=None, sort=order),
        y=alt.Y("mqls:Q", title="MQLs"),
        color=alt.Color("status:N", scale=status_scale(), legend=None),
        tooltip=[alt.Tooltip("period:O"), alt.Tooltip("mqls:Q"), alt.Tooltip("target:Q", format=",.1f")],
    )
    ticks = base.mark_tick(color=PLAN, thickness=2).encode(x=alt.X("period:O", sort=order), y="target:Q")
    return finish(alt.layer(bars, ticks), height=200)
