"""The weekly review's fixed agenda, which every review opens with: the numbers against each commitment, the
key numbers, every violation with who owes what, escalations, decisions, assumptions to update."""

from __future__ import annotations

from typing import Any

from leadpact import formatting as w
from leadpact.reports.blocks import Section

#: the most violations a review lists one by one (the rest are counted; `leadpact violations` lists all)
VIOLATIONS_SHOWN = 60


def _judged(met: bool | None) -> str:
    return "no data" if met is None else ("met" if met else "missed")


def scorecard(doc: dict[str, Any]) -> Section:
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


def numbers(doc: dict[str, Any]) -> Section:
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


def violations(doc: dict[str, Any]) -> Section:
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


def escalations(doc: dict[str, Any]) -> Section:
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


def decisions(doc: dict[str, Any], title: str) -> Section:
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


def assumptions(doc: dict[str, Any]) -> Section:
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
