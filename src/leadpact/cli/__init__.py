"""The ``leadpact`` command line: one small module per subcommand, all on one Typer app."""

from __future__ import annotations

import importlib
import pkgutil

from leadpact.cli.app import app


def _load_commands() -> None:
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{module.name}")


def main() -> None:
    _load_commands()
    app()
