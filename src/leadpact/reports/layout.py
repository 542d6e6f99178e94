"""A review document (`services.reviews.review_document`) laid out as sections of paragraphs, tables, lists
and charts, every number written by `leadpact.formatting`; `report.md` and `report.html` render the same
sections, so the formats say the same thing. Charts are the dashboard's Vega-Lite specs
(`leadpact.charts`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from leadpact import charts
from leadpact import formatting as w

TITLES = {"weekly": "Weekly SLA review", "monthly": "Monthly review", "quarterly": "Quarterly review",
          "annual": "Annual review"}  # fmt: skip
STATUS = {"met": "met", "at_risk": "at risk", "missed": "missed", "none": "no data"}
#: the most violations a review lists one by one (the rest are counted; `leadpact violations` lists all)
VIOLATIONS_SHOWN = 60
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


@dataclass
class Block:
    kind: str  # p | table | list | chart
    text: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    right: list[int] = field(default_factory=list)  # columns aligned right (numbers)
    status: int | None = None  # a column of met / missed, coloured in HTML and PDF
    items: list[str] = field(default_factory=list)
    build: Callable[[], dict[str, Any]] | None = None  # a chart's Vega-Lite spec
    svg: str = ""  # the chart drawn, for HTML and PDF


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def p(self, text: str) -> Section:
        self.blocks.append(Block("p", text=text))
        return self

    def table(
        self,
        head: list[str],
        rows: list[list[str]],
        right: list[int] | None = None,
        status: int | None = None,
    ) -> Section:
        self.blocks.append(Block("table", head=head, rows=rows, right=right or [], status=status))
        return self

    def list(self, items: list[str]) -> Section:
        self.blocks.append(Block("list", items=items))
        return self

    def chart(self, title: str, build: Callable[[], dict[str, Any]]) -> Section:
        """A chart; its spec is built only by the formats that draw it (HTML and PDF)."""
        self.blocks.append(Block("chart", text=title, build=build))
        return self


def _judged(met: bool | None) -> str:
    return "no data" if met is None else ("met" if met else "missed")


def _scorecard(doc: dict[str, Any]) -> Section:
    s = Section("The numbers against each commitment")
    rows = []
    for line in doc["scorecard"]:
        if line["unit"] == "count":
            actual, target = w.count(line["actual"]), w.count(line["target"])
        else:
            actual, target = w.pct(line["actual"]), w.pct(line["target"])
        target = f"at most {target}" if line["at_most"] else f"at least {target}"
        rows.append([line["team"], line["commitment"], target, actual, _judged(line["met"])])
    s.table(["team", "commitment", "target", "actual", "status"], rows, right=[2, 3], status=4)
    if not doc["closed"]:
        s.p(f"{doc['period']} is not over: the numbers are to date, the MQL target is the whole period's.")
    return s


def _numbers(doc: dict[str, Any]) -> Section:
    m = doc["metrics"]
    rm, pipe = m["response_minutes"], m["pipeline"]
    s = Section("Key numbers")
    s.list(
        [
            f"MQLs {w.count(m['mql_count'])} ({w.count(m['rehandoff_count'])} re-handoffs) against a target "
            f"of {w.count(m['mql_target'])}: pace {w.pct(m['mql_pace'])}, projected "
            f"{w.count(m['projected'])}",
            f"Acceptance {w.pct(m['acceptance_rate'])} ({w.count(m['pending_dispositions'])} awaiting a "
            f"disposition); MQL→SQL {w.pct(m['mql_to_sql'])}; SQL→opportunity {w.pct(m['sql_to_opp'])}",
            f"First contact: median {w.minutes(rm['median'])}, mean {w.minutes(rm['mean'])}, 90th percentile "
            f"{w.minutes(rm['p90'])}; within SLA {w.pct(m['response_compliance'])}",
            f"Worked {w.pct(m['worked_rate'])}; touches per lead {w.decimal(m['touches_per_lead'])}; minimum "
            f"touches met {w.pct(m['min_touch_rate'])}; disposition within SLA "
            f"{w.pct(m['disposition_compliance'])}; hygiene {w.pct(m['hygiene_rate'])}",
            f"Sales-flagged (rejected + disqualified) {w.pct(m['sales_flagged_rate'])}",
            f"Pipeline {w.money(pipe['total'])} (marketing-sourced {w.money(pipe['marketing_sourced'])}, "
            f"sales-sourced {w.money(pipe['sales_sourced'])}, marketing-influenced "
            f"{w.money(pipe['marketing_influenced'])}); {w.count(m['opportunities'])} opportunities, "
            f"{w.count(m['customers'])} customers, won {w.money(m['revenue']['total'])}",
        ]
    )
    return s


def _violations(doc: dict[str, Any]) -> Section:
    v, tz = doc["violations"], doc["timezone"]
    s = Section("Violations: who owes what")
    if not v["items"]:
        return s.p("No violation in the period.")
    s.table(
        ["team", "owner", "violations"],
        [[r["team"], r["owner"], w.count(r["count"])] for r in v["by_owner"]],
        right=[2],
    )
    shown = v["items"][:VIOLATIONS_SHOWN]
    s.table(
        ["when", "team", "kind", "what"],
        [[w.local(i["at"], tz), i["owed_by"], w.label(i["kind"]), i["what"]] for i in shown],
    )
    if len(v["items"]) > len(shown):
        s.p(f"And {len(v['items']) - len(shown):,} more: `leadpact violations --period {doc['period']}`.")
    return s


def _escalations(doc: dict[str, Any]) -> Section:
    s = Section("Escalations")
    items, tz = doc["escalations"], doc["timezone"]
    if not items:
        return s.p("No escalation open, none opened in the period.")
    rows = [
        [
            w.label(e["rule"]),
            e["team"],
            e["period"],
            e["owner"] or "—",
            e["state"],
            w.local(e["due_at"], tz),
            e.get("plan") or "—",
        ]
        for e in items
    ]
    return s.table(["rule", "team", "period", "owner", "state", "due", "plan"], rows)


def _decisions(doc: dict[str, Any], title: str) -> Section:
    s = Section(title)
    d = doc["decisions"]
    if not any(d.values()):
        return s.p("No decision due, done or carried (`leadpact decide` records one).")
    groups = (("due", "Due in the period"), ("done", "Done"), ("carried", "Carried (still open)"))
    for group, heading in groups:
        items = d.get(group) or []
        s.p(f"{heading}: {len(items)}")
        if items:
            s.table(
                ["decision", "owner", "team", "due", "state"],
                [[x["text"], x["owner"], x["team"] or "—", x["due"], x["state"]] for x in items],
            )
    return s


def _assumptions(doc: dict[str, Any]) -> Section:
    s = Section("Assumptions to update")
    rows = [
        [
            a["label"],
            w.pct(a["planned"]),
            w.pct(a["measured"]),
            w.count(a["basis"]),
            "update" if a["update"] else "",
        ]
        for a in doc["assumptions"]
    ]
    s.table(["assumption", "in the pact", "this period", "MQLs", ""], rows, right=[1, 2, 3])
    s.p("“update”: the period's rate is more than 10% away from the pact's.")
    return s


def _trend(doc: dict[str, Any], title: str) -> Section:
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
    s.chart("MQLs against target", lambda: charts.volume_trend_chart(doc["trend"]))
    return s


def _reasons(doc: dict[str, Any]) -> Section:
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
        s.chart("Reasons by month", lambda: charts.reasons_trend_chart(doc["trend"]))
    return s


def _changes(doc: dict[str, Any]) -> Section:
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


def _sources(doc: dict[str, Any]) -> Section:
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
        s.chart("Pipeline by source", lambda: charts.pipeline_by_source_chart(doc["metrics"]))
    return s


def _closed_loop(doc: dict[str, Any]) -> Section:
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


def _waterfall(doc: dict[str, Any]) -> Section:
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


def _proposals(doc: dict[str, Any]) -> Section:
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


def _calibration(doc: dict[str, Any]) -> Section:
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
    return s.chart("Acceptance and SQL rate by score band", lambda: charts.drift_chart(c))


def _capacity(doc: dict[str, Any]) -> Section:
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


def sections(doc: dict[str, Any]) -> list[Section]:
    """The review's sections in the order of its agenda."""
    kind = doc["kind"]
    out = [_scorecard(doc), _numbers(doc)]
    if kind == "weekly":
        out += [_violations(doc), _escalations(doc), _decisions(doc, "Corrective actions"), _assumptions(doc)]
    elif kind == "monthly":
        out += [
            _trend(doc, "Quality over six months"),
            _reasons(doc),
            _changes(doc),
            _sources(doc),
            _closed_loop(doc),
            _decisions(doc, "Decisions made and carried"),
        ]
    elif kind == "quarterly":
        from leadpact.reports import learning  # its sections build on Section, defined here

        out += [
            _trend(doc, "The quarter month by month"),
            _waterfall(doc),
            _calibration(doc),
            learning.curve(doc),
            learning.erlang(doc),
            _proposals(doc),
            _violations(doc),
            _escalations(doc),
        ]
    else:
        out += [_trend(doc, "The four quarters"), _capacity(doc), _sources(doc)]
    return out


def title(doc: dict[str, Any]) -> str:
    return f"{TITLES[doc['kind']]} · {doc['period']}"
