"""The metrics document's extra views (attribution, revenue attribution, time in each stage, the funnel-leak
audit) on a small ingested month, and ``leadpact plan --from-history`` over it, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from typer.testing import CliRunner

from builders import BANT, GOOD_FIT, activity, created, disposition, stage, touch
from leadpact.cli import load_commands
from leadpact.cli.app import app
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.services.ingest import ingest, vocabulary
from leadpact.services.metrics import metrics
from leadpact.store.facts import load_activities

NOW = datetime(2026, 6, 1, tzinfo=UTC)
T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 New York
DAY = 24 * 60

load_commands()
runner = CliRunner()


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def timeline() -> list[dict[str, Any]]:
    """A: two campaigns before its opportunity (day 5), one more before its win (day 20); B: an SQL that
    stalls; C: an outbound opportunity with no activity; D: rejected."""
    return [
        created("A", at(-120), source="webinar", **GOOD_FIT),
        activity("A", at(-60), "email_click", id="A-a1", campaign="spring-webinar", asset="/webinar/spring"),
        activity("A", at(0), "demo_request", id="A-a2", campaign="demo-ads", asset="/demo"),
        touch("A", at(30), id="A-t"),
        disposition("A", at(DAY), "accepted", id="A-d"),
        stage("A", at(3 * DAY), "sql", id="A-s", **BANT),
        stage("A", at(5 * DAY), "opportunity", id="A-o", amount=30000, close_date="2026-04-30"),
        activity("A", at(6 * DAY), "pricing_page_view", id="A-a3", campaign="upsell", asset="/pricing"),
        stage("A", at(20 * DAY), "customer", id="A-w"),  # won at the opportunity's amount
        created("B", at(0), source="content", **GOOD_FIT),
        activity("B", at(0), "demo_request", id="B-a1", campaign="demo-ads", asset="/demo"),
        touch("B", at(10), id="B-t"),
        disposition("B", at(2 * DAY), "accepted", id="B-d"),
        stage("B", at(6 * DAY), "sql", id="B-s", **BANT),
        created("C", at(0), source="outbound"),
        touch("C", at(5), id="C-t"),
        disposition("C", at(10), "accepted", id="C-d"),
        stage("C", at(60), "sql", id="C-s", **BANT),
        stage("C", at(5 * DAY + 60), "opportunity", id="C-o", amount=10000, close_date="2026-05-31"),
        created("D", at(0), source="webinar", **GOOD_FIT),
        activity("D", at(0), "demo_request", id="D-a1", campaign="demo-ads"),
        touch("D", at(20), id="D-t"),
        disposition("D", at(DAY // 2), "rejected", "wrong_job_function", id="D-d"),
    ]


def load(engine: Engine, pact: Any) -> None:
    text = "".join(json.dumps(r) + "\n" for r in timeline())
    report = ingest(
        engine, rules_from_pact(pact), vocabulary(pact), read_events(io.StringIO(text), "x.jsonl"), now=NOW
    )
    assert report.refused == 0, report.results


def test_the_extra_views_of_a_month(engine: Engine, pact: Any) -> None:
    load(engine, pact)
    m = metrics(engine, pact, rules_from_pact(pact), "2026-03", as_of=NOW)
    assert m["pipeline"]["total"] == 40000.0  # the existing keys are still there

    assert m["attribution"] == {
        "count": 2,
        "total": 40000.0,
        "assets": {
            "/demo": {"count": 1, "amount": 30000.0},
            "/webinar/spring": {"count": 1, "amount": 30000.0},
        },
        "first_touch": {
            "campaign": {"spring-webinar": 30000.0, "(none)": 10000.0},
            "source": {"webinar": 30000.0, "(none)": 10000.0},
        },
        "last_touch": {
            "campaign": {"demo-ads": 30000.0, "(none)": 10000.0},
            "source": {"webinar": 30000.0, "(none)": 10000.0},
        },
        "linear": {
            "campaign": {"demo-ads": 15000.0, "spring-webinar": 15000.0, "(none)": 10000.0},
            "source": {"webinar": 30000.0, "(none)": 10000.0},
        },
    }
    revenue = m["revenue_attribution"]
    assert revenue["count"] == 1 and revenue["total"] == 30000.0
    assert revenue["first_touch"]["campaign"] == {"spring-webinar": 30000.0}
    assert revenue["last_touch"]["campaign"] == {"upsell": 30000.0}  # day 6, before the win on day 20
    assert revenue["linear"]["campaign"] == {
        "demo-ads": 10000.0,
        "spring-webinar": 10000.0,
        "upsell": 10000.0,
    }
    assert set(revenue["assets"]) == {"/demo", "/pricing", "/webinar/spring"}

    # the cohort: A, B and D (C is outbound: no MQL); A and B handed off at day 0
    times = m["stage_times"]
    assert times["mql_to_sal"] == {"count": 2, "median_days": 1.5, "mean_days": 1.5}  # 1 and 2 days
    assert times["sal_to_sql"] == {"count": 2, "median_days": 3.0, "mean_days": 3.0}  # 2 and 4 days
    assert times["sql_to_opportunity"] == {"count": 1, "median_days": 2.0, "mean_days": 2.0}
    assert times["opportunity_to_customer"] == {"count": 1, "median_days": 15.0, "mean_days": 15.0}

    leak = {line["stage"]: line for line in m["funnel_leak"]}
    assert [line["stage"] for line in m["funnel_leak"]] == [
        "mql_to_sal",  # 2 of 3 accepted: 66.7% against 70%, ratio 0.95
        "sql_to_opportunity",  # 1 of 2: on the plan's 50%, ratio 1
        "mql_to_sql",  # 2 of 3: 66.7% against 30%, ratio 2.2
        "opportunity_to_customer",  # 1 of 1 against 25%, ratio 4
    ]
    assert (leak["mql_to_sal"]["entered"], leak["mql_to_sal"]["passed"]) == (3, 2)
    assert (
        leak["mql_to_sal"]["finding"]
        == "MQL→SAL acceptance is 66.7% against a minimum of 70%: 0.1 SALs short"
    )
    assert (
        leak["sql_to_opportunity"]["finding"] == "SQL→opportunity converts 50% against a plan of 50%: on plan"
    )


def test_a_month_with_nothing_in_it(engine: Engine, pact: Any) -> None:
    load(engine, pact)
    m = metrics(engine, pact, rules_from_pact(pact), "2026-02", as_of=NOW)
    assert m["attribution"]["count"] == 0 and m["attribution"]["first_touch"] == {
        "campaign": {},
        "source": {},
    }
    assert m["stage_times"]["mql_to_sal"] == {"count": 0, "median_days": None, "mean_days": None}
    assert all(line["rate"] is None for line in m["funnel_leak"])


def test_activities_load_in_chunks(engine: Engine, pact: Any) -> None:
    load(engine, pact)
    ids = ["A", "B", *[f"X{i}" for i in range(2000)], "D"]  # three chunks of at most 900
    with engine.connect() as conn:
        acts = load_activities(conn, ids, T0 + timedelta(days=5))
    assert sorted(acts) == ["A", "B", "D"]
    assert [a.campaign for a in acts["A"]] == ["spring-webinar", "demo-ads"]  # not the one on day 6
    assert acts["A"][0].asset == "/webinar/spring" and acts["A"][0].kind == "email_click"


def write_pact(tmp_path: Path) -> Path:
    path = tmp_path / "pact.yaml"
    path.write_text("pact: 1\nname: Test SLA\ntimezone: America/New_York\n", encoding="utf-8")
    return path


def plan(engine: Engine, tmp_path: Path, *args: str) -> dict[str, Any]:
    url = engine.url.render_as_string(hide_password=False)
    result = runner.invoke(
        app, ["plan", "--pact", str(write_pact(tmp_path)), "--db", url, "--from-history", "--json", *args]
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_plan_from_history(engine: Engine, pact: Any, tmp_path: Path) -> None:
    load(engine, pact)
    data = plan(engine, tmp_path, "--as-of", "2026-04-15T12:00:00Z", "--history-months", "1")
    # March: MQL->SQL 2 of 3 (A, B of A, B, D), SQL->opp 2 of 3 (A, C of A, B, C), close 1 customer of
    # 2 opportunities, the average deal 30,000
    inputs = data["inputs"]
    assert inputs["mql_to_sql"] == 2 / 3 and inputs["sql_to_opp"] == 2 / 3
    assert inputs["close"] == 0.5 and inputs["avg_deal"] == 30000
    assert inputs["marketing_share"] == 0.5 and inputs["revenue"] == 2_000_000
    origin = inputs["origin"]
    assert {k: origin[k] for k in ("mql_to_sql", "sql_to_opp", "close", "avg_deal", "marketing_share")} == {
        "mql_to_sql": "history",
        "sql_to_opp": "history",
        "close": "history",
        "avg_deal": "history",
        "marketing_share": "pact",
    }
    # 1,000,000 ÷ 0.5 = 2,000,000 pipeline ÷ 30,000 = 66.67 opportunities ÷ 2/3 = 100 SQLs ÷ 2/3 = 150
    assert data["opportunities"] == 67 and data["sqls"] == 100 and data["mqls_per_quarter"] == 150
    assert data["exact"]["fractions"]["mqls_per_quarter"] == "150"
    # per source: webinar 1 of 2 (A, D), content 1 of 1 (B); a planned source with no history keeps the pact's
    assert data["by_source"]["webinar"]["mql_to_sql"] == 0.5
    assert data["by_source"]["content"]["mql_to_sql"] == 1
    assert data["by_source"]["demo_request"]["mql_to_sql"] == 0.5  # the pact's source rate
    assert origin["source_rates.webinar"] == "history" and origin["source_rates.event"] == "pact (no history)"
    history = data["history"]
    assert history["period"] == "2026-03-01..2026-03-31" and history["months"] == 1
    assert history["start"] == "2026-03-01T05:00:00Z" and history["end"] == "2026-04-01T04:00:00Z"
    assert history["counts"] == {"mqls": 3, "opportunities": 2, "customers": 1, "won_revenue": 30000.0}
    assert history["measured"] == {
        "mql_to_sql": 2 / 3,
        "sql_to_opp": 2 / 3,
        "close": 0.5,
        "avg_deal": 30000.0,
    }


def test_a_flag_still_beats_history(engine: Engine, pact: Any, tmp_path: Path) -> None:
    load(engine, pact)
    data = plan(
        engine, tmp_path, "--as-of", "2026-04-15T12:00:00Z", "--history-months", "1", "--close-rate", "0.2"
    )
    assert data["inputs"]["close"] == 0.2 and data["inputs"]["origin"]["close"] == "flag"
    assert data["inputs"]["origin"]["avg_deal"] == "history"


def test_months_without_history_keep_the_pacts_rates(engine: Engine, pact: Any, tmp_path: Path) -> None:
    load(engine, pact)
    # the 2 months closed before 2026-03-15: January and February, when nothing happened
    data = plan(engine, tmp_path, "--as-of", "2026-03-15T12:00:00Z", "--history-months", "2")
    assert data["history"]["period"] == "2026-01-01..2026-02-28"
    assert data["history"]["measured"] == {
        "mql_to_sql": None,
        "sql_to_opp": None,
        "close": None,
        "avg_deal": None,
    }
    inputs = data["inputs"]
    assert (inputs["mql_to_sql"], inputs["sql_to_opp"], inputs["close"], inputs["avg_deal"]) == (
        0.3,
        0.5,
        0.25,
        25_000,
    )
    assert {inputs["origin"][k] for k in ("mql_to_sql", "sql_to_opp", "close", "avg_deal")} == {
        "pact (no history)"
    }
    assert data["mqls_per_quarter"] == 1067  # the seed waterfall


def test_history_of_the_last_six_months_by_default(engine: Engine, pact: Any, tmp_path: Path) -> None:
    load(engine, pact)
    data = plan(engine, tmp_path, "--as-of", "2026-09-10T12:00:00Z")
    assert data["history"]["period"] == "2026-03-01..2026-08-31" and data["history"]["months"] == 6
    assert data["inputs"]["origin"]["close"] == "history"
