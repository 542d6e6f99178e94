"""The Typer application every ``cmd_*`` module registers on, and ``leadpact --version``."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="leadpact",
    help="The marketing-sales SLA as running code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def package_version() -> str:
    """The installed distribution's version, else the source tree's ``leadpact.__version__``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("leadpact")
    except PackageNotFoundError:
        from leadpact import __version__

        return __version__


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"leadpact {package_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """The marketing-sales SLA as running code."""
