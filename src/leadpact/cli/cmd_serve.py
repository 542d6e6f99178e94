"""`leadpact serve`: the API, the dashboard and the clock worker, on the store and pact of every command."""

from __future__ import annotations

from pathlib import Path

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, PactOption, db_url, fail, pact_path
from leadpact.cli.context import open_context


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="The address to listen on."),
    port: int = typer.Option(8000, "--port", help="The port to listen on (0: any free one)."),
    no_worker: bool = typer.Option(False, "--no-worker", help="Serve without the clock worker."),
    access_log: bool = typer.Option(False, "--access-log", help="Log every request."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
) -> None:
    """Serve the API and the dashboard (and run the worker) until Ctrl-C or SIGTERM."""
    import logging

    from leadpact.web.server import serve
    from leadpact.web.settings import SettingsError, WebSettings

    path = pact_path(pact)
    try:
        settings = WebSettings.load(
            pact_file=path,
            db_url=db_url(db, path),
            host=host,
            port=port,
            worker=not no_worker,
            access_log=access_log,
        )
    except SettingsError as exc:
        fail(f"settings:\n{exc}")
    ctx = open_context(pact, db)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    serve(settings, ctx)
