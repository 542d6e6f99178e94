"""``leadpact plan``: the seed waterfall end to end, every flag, the JSON of DESIGN.md §7."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadpact.cli import load_commands
from leadpact.cli.app import app

load_commands()
runner = CliRunner()

TARGETS_DEFAULT = "pact: 1\nname: Test SLA\ntimezone: America/New_York\n"


def write_pact(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "pact.yaml"
    path.write_text(TARGETS_DEFAULT + extra, encoding="utf-8")
    return path


def plan(tmp_path: Path, *args: str, extra: str = "", code: int = 0) -> Any:
    pact = write_pact(tmp_path, extra)
    result = runner.invoke(app, ["plan", "--pact", str(pact), *args])
    assert result.exit_code == code, result.output
    return result


def plan_json(tmp_path: Path, *args: str, extra: str = "") -> dict[str, Any]:
    result = plan(tmp_path, "--json", *args, extra=extra)
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_seed_waterfall_from_the_default_pact(tmp_path: Path) -> None:
    data = plan_json(tmp_path)
    assert data["marketing_revenue"] == 1_000_000
    assert data["pipeline"] == 4_000_000
    assert data["opportunities"] == 160
    assert data["sqls"] == 320
    assert data["mqls_per_quarter"] == 1067
    assert data["mqls_per_month"] == 356
    assert data["exact"]["mqls_per_quarter"] == float(Fraction(3200, 3))
    assert data["exact"]["mqls_per_month"] == float(Fraction(3200, 9))
    assert data["exact"]["fractions"]["mqls_per_quarter"] == "3200/3"
    assert data["exact"]["fractions"]["mqls_per_month"] == "3200/9"
    assert data["inputs"] == {
        "revenue": 2_000_000,
        "per": "quarter",
        "marketing_share": 0.5,
        "close": 0.25,
        "avg_deal": 25_000,
        "sql_to_opp": 0.5,
        "mql_to_sql": 0.3,
        "origin": {
            "revenue": "pact",
            "per": "pact",
            "marketing_share": "pact",
            "close": "pact",
            "avg_deal": "pact",
            "sql_to_opp": "pact",
            "mql_to_sql": "pact",
        },
    }
    assert "mql_target" not in data


def test_the_source_breakdown_of_the_default_mix(tmp_path: Path) -> None:
    data = plan_json(tmp_path)
    # Σ share × rate = 0.2×0.5 + 0.35×0.1 + 0.25×0.2 + 0.2×0.175 = 0.22; 320 ÷ 0.22 = 1454.54...
    mix = data["source_mix"]
    assert mix["blended_rate"] == pytest.approx(0.22)
    assert mix["pact_rate"] == 0.3
    assert mix["mqls_per_quarter"] == 1455
    assert mix["mqls_per_month"] == 485  # ceil(1454.54 ÷ 3 = 484.85)
    assert mix["difference_per_quarter"] == 1455 - 1067
    assert mix["normalised"] is False
    assert data["exact"]["source_mix"]["mqls_per_quarter"] == float(Fraction(16000, 11))
    assert data["exact"]["source_mix"]["difference_per_quarter"] == float(Fraction(12800, 33))
    by_source = data["by_source"]
    assert set(by_source) == {"demo_request", "content", "webinar", "event"}
    assert by_source["demo_request"] == {
        "share": 0.2,
        "mql_to_sql": 0.5,
        "rate_from": "source_rates",
        "mqls_per_quarter": 291,  # 1454.54 × 0.2 = 290.9
        "mqls_per_month": 97,
        "sqls_per_quarter": 146,  # 290.9 × 0.5 = 145.45
    }
    assert by_source["content"]["mqls_per_quarter"] == 510  # 509.09
    assert data["exact"]["by_source"]["content"]["sqls_per_quarter"] == float(Fraction(560, 11))


def test_sensitivity_of_each_rate(tmp_path: Path) -> None:
    sens = plan_json(tmp_path)["sensitivity"]
    assert list(sens) == ["marketing_share", "close", "avg_deal", "sql_to_opp", "mql_to_sql"]
    close = sens["close"]
    assert close["value"] == 0.25
    assert close["low"]["value"] == pytest.approx(0.225)
    assert close["low"]["exact_mqls_per_quarter"] == float(Fraction(32000, 27))
    assert close["low"]["mqls_per_quarter"] == 1186
    assert close["high"]["mqls_per_month"] == 324  # ceil(969.70 ÷ 3)
    assert close["elasticity"] == pytest.approx(-100 / 99)
    assert sens["marketing_share"]["elasticity"] == 1.0


@pytest.mark.parametrize(
    ("flag", "value", "key", "expected_mqls"),
    [
        ("--revenue", "3000000", "revenue", 1600),
        ("--marketing-share", "0.6", "marketing_share", 1280),
        ("--close-rate", "0.2", "close", Fraction(4000, 3)),
        ("--deal-size", "20000", "avg_deal", Fraction(4000, 3)),
        ("--sql-to-opp", "0.4", "sql_to_opp", Fraction(4000, 3)),
        ("--mql-to-sql", "0.32", "mql_to_sql", 1000),
    ],
)
def test_every_input_can_be_overridden_by_a_flag(
    tmp_path: Path, flag: str, value: str, key: str, expected_mqls: Fraction | int
) -> None:
    data = plan_json(tmp_path, flag, value)
    assert data["exact"]["mqls_per_quarter"] == float(expected_mqls)
    assert data["inputs"]["origin"][key] == "flag"
    assert data["inputs"][key] == float(Fraction(value))


def test_flags_take_percentages_and_thousands_separators(tmp_path: Path) -> None:
    data = plan_json(tmp_path, "--revenue", "2,000,000", "--close-rate", "25%", "--mql-to-sql", "30%")
    assert data["exact"]["fractions"]["mqls_per_quarter"] == "3200/3"


def test_revenue_per_month_and_per_year(tmp_path: Path) -> None:
    month = plan_json(tmp_path, "--per", "month", "--revenue", "1000000")
    assert month["revenue_per_quarter"] == 3_000_000
    assert (month["sqls"], month["mqls_per_quarter"], month["mqls_per_month"]) == (480, 1600, 534)
    year = plan_json(tmp_path, "--per", "year", "--revenue", "8000000")
    assert year["revenue_per_quarter"] == 2_000_000
    assert (year["mqls_per_quarter"], year["mqls_per_month"]) == (1067, 356)
    assert year["inputs"]["per"] == "year"


def test_the_pacts_own_per_month(tmp_path: Path) -> None:
    data = plan_json(tmp_path, extra="targets:\n  revenue: {per: month, new_arr: 1000000}\n")
    assert data["mqls_per_quarter"] == 1600
    assert data["inputs"]["origin"]["per"] == "pact"
    assert data["inputs"]["marketing_share"] == 0.5  # left out, so the default


def test_the_exact_target_of_a_month(tmp_path: Path) -> None:
    data = plan_json(tmp_path, "--period", "2026-03")
    assert data["mql_target"] == float(Fraction(3200, 9))
    assert data["period"]["start"] == "2026-03-01T05:00:00Z"
    assert data["period"]["end"] == "2026-04-01T04:00:00Z"
    quarter = plan_json(tmp_path, "--period", "2026-Q1")
    assert quarter["mql_target"] == float(Fraction(3200, 3))


def test_the_target_of_a_week_across_a_month_edge(tmp_path: Path) -> None:
    # Mon 30 March .. Sun 5 April 2026: 2 of March's 22 business days, 3 of April's 22 (US holidays: none)
    data = plan_json(tmp_path, "--period", "2026-W14")
    month = Fraction(3200, 9)
    assert data["mql_target"] == float(2 * month / 22 + 3 * month / 22)


def test_the_human_view_tells_the_seeds_sentence(tmp_path: Path) -> None:
    result = plan(tmp_path, "--period", "2026-03")
    text = " ".join(result.stdout.split())
    assert (
        "2,000,000 × 50% = 1,000,000 from marketing ÷ 25% close = 4,000,000 pipeline ÷ 25,000 = "
        "160 opportunities ÷ 50% = 320 SQLs ÷ 30% = 1,067 MQLs a quarter, 356 a month"
    ) in text
    assert "355.56" in text
    assert "22%" in text and "1,455" in text
    assert "Sensitivity" in text


def test_a_bad_period_is_refused_with_the_accepted_forms(tmp_path: Path) -> None:
    result = plan(tmp_path, "--period", "March", code=2)
    assert "2026-W10" in result.output


def test_a_bad_flag_value_is_refused(tmp_path: Path) -> None:
    assert "--close-rate" in plan(tmp_path, "--close-rate", "lots", code=2).output
    assert "close" in plan(tmp_path, "--close-rate", "1.5", code=2).output
    plan(tmp_path, "--per", "week", code=2)


def test_from_history_says_what_it_needs(tmp_path: Path) -> None:
    result = plan(tmp_path, "--from-history", code=2)
    assert "metrics engine" in " ".join(result.output.split())


def test_an_invalid_pact_lists_its_problems(tmp_path: Path) -> None:
    result = plan(tmp_path, extra="targets:\n  rates: {close: 7, avg_deal: -1}\n", code=1)
    assert "targets.rates.close" in result.output
    assert "targets.rates.avg_deal" in result.output


def test_a_sentence_for_revenue_per_month(tmp_path: Path) -> None:
    text = " ".join(plan(tmp_path, "--per", "month", "--revenue", "1000000").stdout.split())
    assert text.startswith("1,000,000 a month × 3 = 3,000,000 a quarter × 50% = 1,500,000 from marketing")
    assert "1,600 MQLs a quarter, 534 a month" in text


def test_a_planned_source_without_a_rate_takes_the_pacts_rate(tmp_path: Path) -> None:
    extra = "targets:\n  sources: {content: 0.5, paid_search: 0.5}\n  source_rates: {content: 0.1}\n"
    data = plan_json(tmp_path, extra=extra)
    assert data["by_source"]["paid_search"]["rate_from"] == "mql_to_sql"
    assert data["by_source"]["paid_search"]["mql_to_sql"] == 0.3
    assert data["source_mix"]["blended_rate"] == pytest.approx(0.2)
    assert data["source_mix"]["mqls_per_quarter"] == 1600


def test_a_missing_pact_says_where_it_looked(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "--pact", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "nope.yaml" in result.output and "leadpact init" in result.output


def test_the_target_of_a_week_with_holidays_uses_the_pacts_calendar(tmp_path: Path) -> None:
    # 2026-W01 = Mon 29 Dec 2025 .. Sun 4 Jan 2026. December 2025: 23 weekdays less Christmas = 22,
    # 29..31 in the week; January 2026: 22 weekdays less New Year and MLK Day = 20, only the 2nd in it.
    data = plan_json(tmp_path, "--period", "2026-W01")
    month = Fraction(3200, 9)
    assert data["period"]["start"] == "2025-12-29T05:00:00Z"
    assert data["mql_target"] == float(3 * month / 22 + 1 * month / 20)


def test_the_installed_command_prints_the_json(tmp_path: Path) -> None:
    pact = write_pact(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from leadpact.cli import main; main()",
            "plan",
            "--pact",
            str(pact),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(done.stdout)
    assert (data["opportunities"], data["sqls"], data["mqls_per_quarter"], data["mqls_per_month"]) == (
        160,
        320,
        1067,
        356,
    )
