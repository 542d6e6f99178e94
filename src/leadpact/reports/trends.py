"""The longer reviews' sections: quality over months or quarters, rejection patterns, conversion against the
period before, sources, the closed loop, the waterfall re-run, proposals, calibration, capacity."""

from __future__ import annotations

from typing import Any

from leadpact import formatting as w
from leadpact.charts.learning import drift_chart
from leadpact.charts.metrics import pipeline_by_source_chart, reasons_trend_chart, volume_trend_chart
from leadpact.reports.blocks import Section

RATE_LABELS = {
    "mql_to_sql": "MQL→SQL",
    "sql_to_opp": "SQL→opportunity",
    "close": "close rate",
    "avg_deal": "average deal",
}
CHANGE_LABELS = {
    "acceptance_rate": "MQL→SAL acceptance",
    "mql_to_sql": "MQL→SQL",
    "sql_to_opp": "SQL→opportunity",
    "response_compliance": "first contact within SLA",
    "disposition_compliance": "disposition within SLA",
    "worked_rate": "MQLs worked",
    "sales_flagged_rate": "sales-flagged (rejected + disqualified)",
}


def trend(doc: dict[str, Any], title: str) -> Section:
    s = Section(title)
    rows = [
        [
            t["period"],
            w.count(t["mql_count"]),
            w.count(t["mql_target"]),
            w.pct(t["acceptance_rate"]),
            w.pct(t["mql_to_sql"]),
            w.pct(t["sql_to_opp"]),
            w.pct(t["response_compliance"]),
            w.pct(t["sales_flagged_rate"]),
        ]
        for t in doc["trend"]
    ]
    s.table(
        ["period", "MQLs", "target", "accepted", "MQL→SQL", "SQL→opp", "first contact", "flagged"],
        rows,
        right=[1, 2, 3, 4, 5, 6, 7],
    )
    s.chart("MQLs against target", lambda: volume_trend_chart(doc["trend"]))
    return s


def reasons(doc: dict[str, Any]) -> Section:
    s = Section("Rejection patterns")
    reasons = doc["metrics"]["reasons"]
    if not reasons:
        return s.p("No rejection or disqualification in the period.")
    rows = [
        [code, w.count(r["count"]), w.pct(r["share"]), "flagged" if r["flagged"] else "", r["action"] or ""]
        for code, r in reasons.items()
    ]
    s.table(["reason", "count", "share", "", "marketing action"], rows, right=[1, 2])
    if doc.get("trend"):
        s.chart("Reasons by month", lambda: reasons_trend_chart(doc["trend"]))
    return s


def changes(doc: dict[str, Any]) -> Section:
    before = next((c["before_period"] for c in doc["changes"] if c["before_period"]), None)
    s = Section(f"Conversion against {before}" if before else "Conversion")
    rows = [
        [
            CHANGE_LABELS[c["key"]],
            w.pct(c["before"]),
            w.pct(c["now"]),
            "—" if c["points"] is None else f"{c['points']:+.1f} pts",
        ]
        for c in doc["changes"]
    ]
    return s.table(["rate", before or "before", doc["period"], "change"], rows, right=[1, 2, 3])


def sources(doc: dict[str, Any]) -> Section:
    s = Section("Source performance")
    by_source = doc["metrics"]["by_source"]
    rows = [
        [
            source,
            w.count(e["mql_count"]),
            w.count(e.get("mql_target")),
            w.pct(e["acceptance_rate"]),
            w.pct(e["mql_to_sql"]),
            w.money(e["pipeline"]["total"]),
        ]
        for source, e in by_source.items()
    ]
    s.table(["source", "MQLs", "target", "accepted", "MQL→SQL", "pipeline"], rows, right=[1, 2, 3, 4, 5])
    if by_source:
        s.chart("Pipeline by source", lambda: pipeline_by_source_chart(doc["metrics"]))
    return s


def closed_loop(doc: dict[str, Any]) -> Section:
    s = Section("The closed loop")
    loop = doc["metrics"]["closed_loop"]
    rows = [
        [
            source,
            w.count(e["mql_count"]),
            w.count(e["customers"]),
            w.pct(e["mql_to_customer"]),
            w.money(e["won_revenue"]),
            w.days(e["median_days_to_won"]),
        ]
        for source, e in loop["by_source"].items()
    ]
    s.table(["source", "MQLs", "customers", "MQL→customer", "won", "MQL to won"], rows, right=[1, 2, 3, 4, 5])
    reps = [
        [rep, w.count(e["handoffs"]), w.count(e["accepted"]), w.count(e["sqls"]), w.pct(e["mql_to_sql"])]
        for rep, e in loop["by_rep"].items()
    ]
    if reps:
        s.table(["rep", "handoffs", "accepted", "SQLs", "MQL→SQL"], reps, right=[1, 2, 3, 4])
    return s


def waterfall(doc: dict[str, Any]) -> Section:
    wf = doc["waterfall"]
    plan, rerun, measured = wf["plan"], wf["rerun"], wf["measured"]
    s = Section("The waterfall re-run on the quarter's rates")
    steps = [
        ("pipeline", "pipeline", w.money),
        ("opportunities", "opportunities", w.count),
        ("SQLs", "sqls", w.count),
        ("MQLs a quarter", "mqls_per_quarter", w.count),
        ("MQLs a month", "mqls_per_month", w.count),
    ]
    s.table(
        ["step", "the pact's rates", "the quarter's rates"],
        [[name, fmt(plan[key]), fmt(rerun[key])] for name, key, fmt in steps],
        right=[1, 2],
    )
    inputs = plan["inputs"]
    rows = [
        [
            RATE_LABELS[name],
            (w.money if name == "avg_deal" else w.pct)(inputs[name]),
            (w.money if name == "avg_deal" else w.pct)(measured.get(name)),
            wf["kept"].get(name, ""),
        ]
        for name in ("mql_to_sql", "sql_to_opp", "close", "avg_deal")
    ]
    s.table(["rate", "in the pact", "measured", "note"], rows, right=[1, 2])
    return s


def proposals(doc: dict[str, Any]) -> Section:
    s = Section("Proposed changes to targets and criteria")
    items = []
    for p in doc["proposals"]:
        if p["kind"] == "rate":
            fmt = w.money if p["unit"] == "amount" else w.pct
            items.append(f"`{p['key']}`: {fmt(p['planned'])} in the pact, {fmt(p['measured'])} measured")
        elif p["kind"] == "gate":
            items.append(
                f"`{p['key']}`: acceptance {w.pct(p['measured'])} is below the {w.pct(p['planned'])} "
                "minimum; review the MQL gate with sales"
            )
        elif p["kind"] == "reason":
            items.append(f"`{p['key']}`: {w.pct(p['share'])} of rejections; {p['action']}")
        else:
            items.append(
                f"MQL target: {w.count(p['measured'])} a month at the quarter's rates, against "
                f"{w.count(p['planned'])} in the pact"
            )
    return s.list(items) if items else s.p("The quarter's numbers argue for no change.")


def calibration(doc: dict[str, Any]) -> Section:
    s = Section("Calibration")
    c = doc.get("calibration")
    if c is None:
        return s.p("No calibration session of the quarter (`leadpact calibrate sample` starts one).")
    kappa = "—" if c["kappa"] is None else f"{c['kappa']:.2f}"
    s.p(
        f"Session {c['session']} ({c['period']}): {w.count(c['n'])} of {w.count(c['sampled'])} sampled leads "
        f"judged by both teams; agreement {w.pct(c['agreement'])}, Cohen's kappa {kappa}; "
        f"{w.count(len(c['disagreements']))} disagreements."
    )
    bands = c["drift"]["bands"]
    if bands:
        s.table(
            ["score band", "sampled", "marketing yes", "sales yes", "acceptance", "MQL→SQL"],
            [
                [str(b.get("band")), w.count(b.get("sampled")), w.pct(b.get("marketing_yes")),
                 w.pct(b.get("sales_yes")), w.pct(b.get("acceptance_rate")), w.pct(b.get("sql_rate"))]
                for b in bands
            ],
            right=[1, 2, 3, 4, 5],
        )  # fmt: skip
    if c["drift"].get("finding"):
        s.p(f"Drift: {c['drift']['finding']}.")
    return s.chart("Acceptance and SQL rate by score band", lambda: drift_chart(c))


def capacity(doc: dict[str, Any]) -> Section:
    c = doc["capacity"]
    s = Section("Capacity against volume")
    could = "any number of" if c["capacity"] is None else w.count(c["capacity"])
    s.p(
        f"{w.count(c['handoffs'])} handoffs over {w.count(c['business_days'])} business days; the active "
        f"reps could take {could} new leads."
    )
    rows = [
        [r["rep"], r["team"], "yes" if r["active"] else "no", w.count(r["per_day"]), w.count(r["capacity"]),
         w.count(r["handoffs"])]
        for r in c["reps"]
    ]  # fmt: skip
    if rows:
        s.table(["rep", "team", "active", "a day", "capacity", "handoffs"], rows, right=[3, 4, 5])
    staffing = doc.get("staffing")
    if staffing is not None and staffing["predicted_compliance"] is None:
        s.p(
            f"No high-intent lead arrived in the last {staffing['weeks_measured']} weeks: nothing to plan "
            "this week's shifts from."
        )
    elif staffing is not None:
        short = staffing["hours_short"]
        s.p(
            f"With the roster on shift in {staffing['week']} and the arrivals of the "
            f"{staffing['weeks_measured']} weeks before, {w.pct(staffing['predicted_compliance'])} of "
            f"high-intent leads would be contacted in time (goal {w.pct(staffing['target'])}); "
            + (
                f"{short} hours of the week are short of reps, by up to {staffing['most_short']}."
                if short
                else "no hour of the week is short of reps."
            )
            + " `leadpact capacity` shows each hour."
        )
    return s
