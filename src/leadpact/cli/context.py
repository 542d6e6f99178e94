"""Loading what a command works on (`services.workspace`), and saying so when something is off."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from leadpact.cli.common import db_url, err_console, fail, pact_path
from leadpact.domain.timeutil import local_text, parse_instant
from leadpact.pact import PactIssue
from leadpact.services.workspace import Workspace

Context = Workspace


def _print_issues(issues: list[PactIssue]) -> None:
    for issue in issues:
        err_console.print(f"  {issue.located()}", highlight=False, markup=False)


def open_context(pact_option: Path | None, db_option: str | None, *, quiet_notice: bool = False) -> Workspace:
    """The workspace of the command's pact and store; exits with every problem when a file is invalid."""
    from leadpact.pact import PactError
    from leadpact.services.workspace import StoreUnavailable, open_workspace

    path = pact_path(pact_option)
    if not path.exists():
        fail(f"no pact at {path} (run `leadpact init`, or pass --pact / set LEADPACT_PACT)")
    url = db_url(db_option, path)
    try:
        ws = open_workspace(path, url, now=now_utc())
    except PactError as exc:
        _print_issues(exc.issues)
        files = sorted({issue.source for issue in exc.issues}) or [str(path)]
        fail(f"{' and '.join(files)}: {len(exc.issues)} error(s); `leadpact check` explains")
    except StoreUnavailable as exc:
        fail(str(exc))
    if not quiet_notice:
        notice_if_differs(ws)
    return ws


def notice_if_differs(ws: Workspace) -> None:
    """Every command that finds the pact file changed says so; the version in force stays (DESIGN.md §10)."""
    if ws.apply_pending:
        err_console.print(
            f"[yellow]note:[/yellow] applying pact version {ws.pact.version} was interrupted; "
            "`leadpact pact apply` finishes it",
            highlight=False,
        )
    if ws.file_differs:
        since = ws.in_force.effective_at
        when = "" if since is None else f" since {local_text(since, ws.pact.timezone)}"
        err_console.print(
            f"[yellow]note:[/yellow] {ws.pact_file} (version {ws.file_pact.version}) differs from the "
            f"version in force ({ws.pact.version}{when}); it changes nothing until `leadpact pact apply` "
            "puts it in force (`leadpact rescore` shows what it would do)",
            highlight=False,
        )


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_of_or_now(text: str | None) -> datetime:
    if not text:
        return now_utc()
    try:
        return parse_instant(text)
    except ValueError as exc:
        fail(f"--as-of: {exc}")
