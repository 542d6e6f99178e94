"""`leadpact sign`, `leadpact pact versions` and `leadpact pact diff`: who signed which version of the pact,
and what changed between versions (DESIGN.md §10). The `pact` group is `cmd_rescore`'s (with `apply`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from leadpact.cli.app import app
from leadpact.cli.cmd_rescore import pact_app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.render import Times, folding, listing, whole
from leadpact.services.pact_history import UnknownVersion, pact_diff, sign, versions_document
from leadpact.services.versions import NothingToSign


@app.command("sign")
def sign_command(
    side: str = typer.Option(..., "--as", help="marketing or sales: which head of function signs."),
    name: str = typer.Option(..., "--name", help="The name of who signs."),
    as_of: str | None = typer.Option(None, "--as-of", hidden=True, help="Record it at this instant."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Sign the pact version in force (its hash). A changed pact needs both signatures again; enforcing mode
    acts only while both heads have signed the version in force."""
    ctx = open_context(pact, db)
    try:
        view = sign(ctx, side=side, name=name, now=as_of_or_now(as_of))
    except NothingToSign as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc), 2)
    if as_json:
        print_json(view)
        return
    missing = [s for s, sig in view["signatures"].items() if sig is None]
    console.print(f"{name} signed pact version {view['version']} for {side}", highlight=False, markup=False)
    if missing:
        console.print(f"  still to sign: {', '.join(missing)}", highlight=False)
    elif view["mode"] == "enforcing":
        console.print("  both heads have signed: enforcing mode is in effect", highlight=False)
    else:
        console.print("  both heads have signed", highlight=False)


@pact_app.command("versions")
def versions_command(
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Every version of the pact, since when it was in force, and who signed it."""
    ctx = open_context(pact, db)
    doc = versions_document(ctx)
    if as_json:
        print_json(doc)
        return
    times = Times(ctx.pact.timezone)
    table = listing()
    whole(table, "version", "in force from")
    folding(table, "signed by", min_width=20)
    whole(table, "mode")
    for v in doc["versions"]:
        signed = [
            f"{side}: {sig['name']}" + (f" ({sig['at'][:10]})" if sig["at"] else "") if sig else f"{side}: —"
            for side, sig in v["signatures"].items()
        ]
        mode = v["mode"] if v["mode"] == v["mode_in_effect"] else f"{v['mode']}\n(monitoring\nuntil signed)"
        table.add_row(
            v["version"], times.cell(v["in_force_from"], empty="the start"), "\n".join(signed), mode
        )
    console.print(table)
    console.print(
        f"{len(doc['versions'])} version(s); the last is in force; {times.footer()}", highlight=False
    )


def _value(value: Any) -> str:
    return "—" if value is None else json.dumps(value, ensure_ascii=False)


@pact_app.command("diff")
def diff_command(
    a: str | None = typer.Argument(None, help="A version (hash prefix) or `file`; default: see below."),
    b: str | None = typer.Argument(None, help="Another; default: the version in force."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """What changed between two pact versions, key by key. Without arguments: the version in force against
    the pact file when it differs, else the previous version against the one in force."""
    ctx = open_context(pact, db, quiet_notice=True)
    try:
        doc = pact_diff(ctx, a, b)
    except UnknownVersion as exc:
        fail(str(exc), 2)
    if as_json:
        print_json(doc)
        return

    def label(side: dict[str, Any]) -> str:
        return f"{side['version']} (the file)" if side["file"] else side["version"]

    if not doc["changes"]:
        console.print(f"{label(doc['from'])} and {label(doc['to'])}: no change", highlight=False)
        return
    console.print(
        f"{label(doc['from'])} -> {label(doc['to'])}: {len(doc['changes'])} change(s)", highlight=False
    )
    table = listing()
    folding(table, "key", min_width=16)
    folding(table, "from", min_width=10)
    folding(table, "to", min_width=10)
    for c in doc["changes"]:
        table.add_row(c["key"], _value(c["from"]), _value(c["to"]))
    console.print(table)
