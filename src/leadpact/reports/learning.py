"""The quarterly review's sections on the store's own learning (DESIGN.md §13) besides calibration (in
`trends`): the response curve and the capacity model, each from the document its command prints with `--json`,
with the charts of `leadpact.charts`."""

from __future__ import annotations

from typing import Any

from leadpact import formatting as w
from leadpact.charts.learning import backtest_chart, curve_chart
from leadpact.reports.blocks import Section


def curve(doc: dict[str, Any]) -> Section:
    c = doc["curve"]
    s = Section("Response time and conversion")
    rows = [
        [
            b["label"],
            w.count(b["handoffs"]),
            w.pct(b["sql_rate"]),
            "—" if b["low"] is None else f"{w.pct(b['low'])}–{w.pct(b['high'])}",
        ]
        for b in c["buckets"]
    ]
    s.table(["first contact", "handoffs", "reached SQL", "95% interval"], rows, right=[1, 2, 3])
    r = c["ratio"]
    if r["ratio"] is not None:
        low, high = ("—", "—") if r["low"] is None else (f"{r['low']:.1f}×", f"{r['high']:.1f}×")
        s.p(
            f"Within 5 minutes against after 30: {r['ratio']:.1f}× as likely to reach SQL "
            f"(95% interval {low} to {high})."
        )
    if r["note"]:
        s.p(f"Note: {r['note']}.")
    return s.chart("Reached SQL by first-contact time", lambda: curve_chart(c))


def erlang(doc: dict[str, Any]) -> Section:
    c = doc.get("erlang")
    s = Section("Capacity for the high-intent clock")
    if c is None:
        return s.p("No roster (team.yaml): who is on shift is unknown, so capacity is not modelled.")
    bt = c["backtest"]
    s.p(
        f"Erlang C over the quarter's weeks: a touch takes {w.decimal(c['handle_minutes'])} minutes, "
        f"other work {w.pct(c['shrinkage'])} of the reps' hours; predicted "
        f"{w.pct(c['predicted_compliance'])} of {c['tier']}-intent leads contacted within the clock with the "
        f"current roster (target {w.pct(c['target'])})."
    )
    if bt["mean_absolute_error"] is not None:
        s.p(
            f"Backtest on {bt['weeks']} weeks: mean absolute error "
            f"{w.decimal(bt['mean_absolute_error'] * 100)} points, bias {bt['bias'] * 100:+.1f} points "
            "(predicted − measured)."
        )
    short = sum(1 for h in c["by_hour"] if h["reps"] < h["reps_needed"])
    s.p(f"{short} hours of the week have fewer reps on shift than the target needs.")
    return s.chart("Predicted and measured compliance by week", lambda: backtest_chart(c))
