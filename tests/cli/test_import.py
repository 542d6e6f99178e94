"""`leadpact import hubspot|salesforce|csv`, run as a RevOps admin would, on exports in the vendors'
own shapes (tests/data/crm: a HubSpot contacts export in UTF-8 with a BOM and CRLF, a Salesforce lead
report saved by Excel in Windows-1252 with US dates, any CSV with a mapping file)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadpact.cli import app, load_commands

load_commands()
runner = CliRunner()
DATA = Path(__file__).parent.parent / "data" / "crm"
HUBSPOT_SOURCES = "  organic_search: marketing\n  direct_traffic: marketing\n  referrals: marketing\n"


@pytest.fixture
def sla(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    pact = tmp_path / "pact.yaml"
    body = pact.read_text(encoding="utf-8")
    pact.write_text(body.replace("  outbound: sales\n", "  outbound: sales\n" + HUBSPOT_SOURCES, 1), "utf-8")
    monkeypatch.setenv("LEADPACT_PACT", str(pact))
    monkeypatch.delenv("LEADPACT_DB", raising=False)
    for name in DATA.iterdir():
        shutil.copy(name, tmp_path / name.name)
    return tmp_path


def run(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def one_error_line(result: Any) -> str:
    assert result.exit_code == 1 and result.stdout == "", result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_a_hubspot_export_dry_run_maps_each_row_and_names_each_unmapped_column_once(sla: Path) -> None:
    result = run("import", "hubspot", str(sla / "hubspot-contacts.csv"), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["stored"] == 0 and out["rows_read"] == 5
    assert out["unmapped_columns"] == ["Phone Number", "Last Activity Date", "Message"]
    (note,) = out["notes"]  # the MQL dates, said once: they need --history
    assert note.startswith("Became a Marketing Qualified Lead Date:") and "--history" in note
    first = out["rows"][0]
    assert first["line"] == 3  # the header is line 1; the row's quoted newline ends on line 3
    created, owner, *stages = first["events"]
    assert created["id"] == "hs-51-created" and created["lead_id"] == "hs-51"
    assert created["at"] == "2024-03-05T14:03:00-05:00"  # a zoneless export time, in the pact's zone
    data = created["data"]
    assert (data["first_name"], data["last_name"]) == ("Zoë", "Müller")  # the BOM dropped, UTF-8 read
    assert (data["employees"], data["annual_revenue"]) == ("1200", "25000000")  # thousands separators
    assert data["source"] == "organic_search"  # "Organic Search", by §12's plain rule
    assert data["attributes"] == {"hubspot_lifecycle_stage": "customer", "hubspot_lead_status": "CONNECTED"}
    assert owner["type"] == "assignment" and owner["data"]["rep"] == "ana"  # "Ana Ruiz": the roster's name
    assert [(s["data"]["stage"], s["at"][:16]) for s in stages] == [
        ("sql", "2024-03-08T11:00"),
        ("opportunity", "2024-03-20T16:30"),
        ("customer", "2024-05-02T10:00"),
    ]
    assert run("lead", "hs-51", "--json").exit_code == 1  # nothing stored


def test_a_hubspot_import_stores_once_and_again_stores_nothing_new(sla: Path) -> None:
    first = run("import", "hubspot", str(sla / "hubspot-contacts.csv"), "--json")
    out = json.loads(first.stdout)
    assert out["summary"]["stored"] >= 5 and out["rows_read"] == 5
    lead = json.loads(run("lead", "hs-52", "--json").stdout)
    assert lead["source"] == "paid_search" and lead["owner"] == "ben"  # owner matched by the rep's email
    again = json.loads(run("import", "hubspot", str(sla / "hubspot-contacts.csv"), "--json").stdout)
    assert again["summary"]["stored"] == 0
    assert again["summary"]["duplicate"] == out["summary"]["stored"]


def test_headers_match_case_insensitively(sla: Path) -> None:
    raw = (sla / "hubspot-contacts.csv").read_bytes()
    (sla / "shouting.csv").write_bytes(
        raw.replace(b'"Record ID"', b'"RECORD id"').replace(b'"Email"', b'"EMAIL"')
    )
    out = json.loads(run("import", "hubspot", str(sla / "shouting.csv"), "--dry-run", "--json").stdout)
    assert out["rows"][0]["events"][0]["data"]["email"] == "zoe.mueller@example.de"


def test_a_salesforce_report_saved_in_windows_1252_with_us_dates_is_read(sla: Path) -> None:
    assert b"Jos\xe9" in (sla / "salesforce-leads.csv").read_bytes()  # really Windows-1252
    mapping = sla / "sf.yaml"
    mapping.write_text(
        "values:\n  source: {Web: content, Partner Referral: referral, Purchased List: outbound}\n", "utf-8"
    )
    result = run(
        "import", "salesforce", str(sla / "salesforce-leads.csv"), "--mapping", str(mapping), "--json"
    )
    out = json.loads(result.stdout)
    assert out["unmapped_columns"] == ["Rating", "Street"]  # once each, not once a row
    lead = json.loads(run("lead", "sf-00Q5g000001AbcDEAS", "--json").stdout)
    assert lead["source"] == "content" and lead["owner"] == "ana"
    created = next(e for e in lead["timeline"] if e["type"] == "lead.created")
    assert created["data"]["first_name"] == "José" and created["data"]["company"] == "Café Société SARL"
    assert created["at"] == "2024-03-05T19:03:00Z"  # "3/5/2024 2:03 PM" in New York
    eva = json.loads(run("lead", "sf-00Q5g000001AbcFEAS", "--json").stdout)
    assert eva["owner"] == "eva"  # the owner given by rep id


def test_any_csv_with_a_mapping_file(sla: Path) -> None:
    result = run(
        "import", "csv", str(sla / "signups.csv"), "--mapping", str(sla / "signups-mapping.yaml"),
        "--dry-run", "--json",
    )  # fmt: skip
    out = json.loads(result.stdout)
    assert out["unmapped_columns"] == [] and out["rows_read"] == 3
    created, owner, won = out["rows"][0]["events"]
    assert created["lead_id"] == "C-100" and created["data"]["source"] == "paid_search"
    assert created["data"]["email"] == "kim@example.com"  # "E-mail" is the email field by its own name
    assert created["data"]["attributes"] == {"plan": "pro"} and created["data"]["employees"] == "1500"
    assert created["at"] == "2024-06-03T10:00:00+02:00"  # the mapping's zone
    assert owner["data"]["rep"] == "ana" and won["data"] == {"stage": "customer", "by": "ana"}
    disqualified = out["rows"][1]["events"][-1]
    assert disqualified["type"] == "disposition"
    assert disqualified["data"] == {"outcome": "disqualified", "reason": "wrong_company_size", "by": "ben"}


def test_a_bad_mapping_file_names_each_key(sla: Path) -> None:
    bad = sla / "bad.yaml"
    bad.write_text(
        "columns: {Channel: sorce, Signed up: created_at}\n"
        "values:\n  source: {Google Ads: paid_serch}\n  rep: {Ana R.: anna}\n  colour: {}\n"
        "timezone: Mars/Olympus\nobjekt: leads\n",
        "utf-8",
    )
    result = run("import", "csv", str(sla / "signups.csv"), "--mapping", str(bad))
    assert result.exit_code == 1
    err = " ".join(result.stderr.split())
    assert "columns.Channel: 'sorce' is not a field (did you mean source?)" in err
    assert (
        "values.source.\"Google Ads\": 'paid_serch' is not a source of the pact (did you mean paid_search?)"
        in err
    )
    assert "values.rep.\"Ana R.\": 'anna' is not a rep id of the roster (did you mean ana?)" in err
    assert "values.colour: unknown kind" in err and "timezone: 'Mars/Olympus' is not a time zone" in err
    assert "objekt: unknown key (did you mean object?)" in err
    assert "5 error(s) in the mapping file" in err or "6 error(s) in the mapping file" in err


def test_a_file_missing_an_essential_column_is_one_line_not_one_per_row(sla: Path) -> None:
    line = one_error_line(run("import", "hubspot", str(sla / "signups.csv")))
    assert "no column gives the record's id (record_id)" in line and "'Record Id'" in line


def test_an_events_ingest_of_a_crm_export_says_so_once(sla: Path) -> None:
    result = run("ingest", str(sla / "hubspot-contacts.csv"), "--json")
    out = json.loads(result.stdout)
    (refused,) = out["results"]
    assert refused["line"] == 1 and refused["field"] == "Record ID"
    assert "leadpact import hubspot|salesforce|csv" in refused["reason"]


def test_a_directory_a_binary_file_and_an_unknown_vendor_each_get_one_clear_line(sla: Path) -> None:
    (sla / "exports").mkdir()
    assert "is a directory" in one_error_line(run("import", "hubspot", str(sla / "exports")))
    (sla / "logo.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    assert "is not a text file (CSV)" in one_error_line(run("import", "hubspot", str(sla / "logo.csv")))
    assert "expected hubspot, salesforce, csv" in one_error_line(run("import", "pipedrive", "x.csv"))
    (sla / "bin.yaml").write_bytes(b"\x00\x01binary")
    result = run("import", "csv", str(sla / "signups.csv"), "--mapping", str(sla / "bin.yaml"))
    assert result.exit_code == 1 and "is not a text file" in " ".join(result.stderr.split())


def test_a_bad_byte_on_line_4_refuses_line_4_and_imports_the_others(sla: Path) -> None:
    raw = (sla / "hubspot-contacts.csv").read_bytes().split(b"\r\n")
    assert raw[2].startswith(b'"52"')  # on line 4: the first row spans lines 2-3 (a quoted LF)
    raw[2] = raw[2].replace(b"Brightwave", b"Bright\x96wave")  # a stray Windows-1252 dash in UTF-8
    (sla / "stray.csv").write_bytes(b"\r\n".join(raw))
    out = json.loads(run("import", "hubspot", str(sla / "stray.csv"), "--json").stdout)
    refused = [r for r in out["results"] if r["line"] == 4]
    assert len(refused) == 1 and "byte 0x96" in refused[0]["reason"]
    assert json.loads(run("lead", "hs-51", "--json").stdout)["lead_id"] == "hs-51"
    assert run("lead", "hs-52", "--json").exit_code == 1  # that row was not imported
    assert json.loads(run("lead", "hs-53", "--json").stdout)["source"] == "direct_traffic"


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("utf-16 with a BOM", lambda s: s.encode("utf-16")),
        ("utf-8, no BOM, LF", lambda s: s.replace("\r\n", "\n").encode("utf-8")),
    ],
)
def test_other_encodings_a_spreadsheet_writes_are_read(sla: Path, name: str, encode: Any) -> None:
    text = (sla / "hubspot-contacts.csv").read_bytes().decode("utf-8-sig")
    (sla / "other.csv").write_bytes(encode(text))
    out = json.loads(run("import", "hubspot", str(sla / "other.csv"), "--dry-run", "--json").stdout)
    assert out["rows_read"] == 5 and out["rows"][0]["events"][0]["data"]["first_name"] == "Zoë"


def test_without_history_a_crm_stage_is_refused_with_the_way_to_take_it(sla: Path) -> None:
    out = json.loads(run("import", "hubspot", str(sla / "hubspot-contacts.csv"), "--json").stdout)
    sql = next(r for r in out["results"] if r["id"] == "hs-52-sql")
    assert sql["status"] == "refused" and "import with --history" in sql["reason"]


def test_a_history_import_takes_the_crm_lifecycle_as_given(sla: Path) -> None:
    out = json.loads(
        run("import", "hubspot", str(sla / "hubspot-contacts.csv"), "--history", "--json").stdout
    )
    assert out["summary"]["refused"] == 0 and out["summary"]["waiting"] == 0
    lead = json.loads(run("lead", "hs-51", "--json").stdout)
    assert lead["stage"] == "customer" and lead["owner"] == "ana"
    (handoff,) = lead["handoffs"]
    assert handoff["mql_at"] == "2024-03-06T14:15:00Z"  # HubSpot's MQL date, not the gate's, not today
    assert all(e.get("history") is True for e in lead["timeline"] if e.get("status") != "derived")
    metrics = json.loads(run("metrics", "--period", "2024-03", "--json").stdout)
    assert metrics["mql_count"] == 3  # hs-51, hs-52, hs-53 became MQLs in March 2024
    assert metrics["mql_to_sql"] == 2 / 3
    again = json.loads(
        run("import", "hubspot", str(sla / "hubspot-contacts.csv"), "--history", "--json").stdout
    )
    assert again["summary"]["stored"] == 0


def test_a_history_import_without_touch_data(sla: Path) -> None:
    assert run("import", "hubspot", str(sla / "hubspot-contacts.csv"), "--no-touches").exit_code == 1
    result = run("import", "hubspot", str(sla / "hubspot-contacts.csv"), "--history", "--no-touches")
    assert result.exit_code == 0, result.output
    metrics = json.loads(run("metrics", "--period", "2024-03", "--json").stdout)
    assert metrics["touches_tracked"] is False and metrics["response_compliance"] is None
    assert metrics["mql_count"] == 3


def test_salesforce_leads_then_their_tasks_and_opportunities(sla: Path) -> None:
    """Leads, then the tasks about them (touches) and the opportunities they were converted to (deal
    stages on the lead that names them), as Data Loader exports them (API names, Salesforce's times)."""
    users = sla / "users.yaml"
    users.write_text(
        "values:\n  source: {Web: content, Partner Referral: referral, Purchased List: outbound}\n"
        "  rep: {0055g00000AnaRUZ: ana, 0055g00000BenOKA: ben}\n",
        "utf-8",
    )
    common = ["--mapping", str(users), "--history", "--json"]
    leads = json.loads(run("import", "salesforce", str(sla / "salesforce-leads.csv"), *common).stdout)
    assert leads["summary"]["refused"] == 0
    tasks_out = run("import", "salesforce", str(sla / "salesforce-tasks.csv"), "--object", "tasks", *common)
    tasks = json.loads(tasks_out.stdout)
    (open_task,) = tasks["results"]  # the task not yet done is no touch
    assert open_task["line"] == 4 and open_task["field"] == "Status" and "open task" in open_task["reason"]
    deals = run(
        "import",
        "salesforce",
        str(sla / "salesforce-opportunities.csv"),
        "--object",
        "opportunities",
        *common,
    )
    out = json.loads(deals.stdout)
    (unknown,) = out["results"]  # an opportunity no imported lead was converted to
    assert unknown["line"] == 3 and "import the leads first" in unknown["reason"]
    lead = json.loads(run("lead", "sf-00Q5g000001AbcDEAS", "--json").stdout)
    touches = [e for e in lead["timeline"] if e["type"] == "touch"]
    assert [(t["at"], t["data"]["channel"], t["data"]["rep"]) for t in touches] == [
        ("2024-03-06T15:10:00Z", "phone", "ana"),
        ("2024-03-07T09:00:00Z", "email", "ana"),
    ]
    assert touches[0]["data"]["outcome"] == "voicemail"  # "Left Voicemail"
    assert lead["stage"] == "customer"
    metrics = json.loads(run("metrics", "--period", "2024-Q2", "--json").stdout)
    assert metrics["customers"] == 1 and metrics["win_rate"] == 1.0
    assert metrics["by_closer"]["ana"]["revenue"]["total"] == 48000.0
