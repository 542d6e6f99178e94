"""The ``leadpact`` command line: one small module per subcommand, all on one Typer app."""

from __future__ import annotations

import importlib
import pkgutil

from leadpact.cli.app import app


def load_commands() -> None:
    """Register every `cmd_*` module's commands on the app (`leadpact` does it before it runs; tests too)."""
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{module.name}")


def main() -> None:
    load_commands()
    app()
