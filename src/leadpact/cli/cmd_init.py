"""``leadpact init [DIR]``: write ``pact.yaml`` and ``team.yaml`` with the seed defaults."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import typer

from leadpact.cli.app import app
from leadpact.cli.common import console, fail

TEMPLATES = ("pact.yaml", "team.yaml")


def template_text(name: str) -> str:
    """The packaged template ``name`` (``pact.yaml`` or ``team.yaml``)."""
    return resources.files("leadpact").joinpath("templates", name).read_text(encoding="utf-8")


DirArgument = typer.Argument(Path("."), help="Where to write pact.yaml and team.yaml (created if missing).")
ForceOption = typer.Option(False, "--force", help="Overwrite existing files.")


@app.command("init")
def init_command(directory: Path = DirArgument, force: bool = ForceOption) -> None:
    """Write pact.yaml + team.yaml with the seed defaults."""
    if directory.exists() and not directory.is_dir():
        fail(f"{directory} is a file, not a directory")
    targets = [directory / name for name in TEMPLATES]
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        names = " and ".join(str(path) for path in existing)
        fail(
            f"{names} already exist{'s' if len(existing) == 1 else ''}; nothing written (--force overwrites)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    for path in targets:
        replaced = path.exists()
        path.write_text(template_text(path.name), encoding="utf-8")
        what = (
            "the pact: the seed defaults"
            if path.name == "pact.yaml"
            else "the roster: example teams and reps"
        )
        console.print(f"{'overwrote' if replaced else 'wrote'} {path}  ({what})", highlight=False)
    pact_file = directory / "pact.yaml"
    flag = "" if pact_file == Path("pact.yaml") else f" --pact {pact_file}"
    console.print(
        f"Next: put your people in team.yaml, adjust the pact, then `leadpact check{flag}`. "
        "Both heads of function sign under `signoff`.",
        highlight=False,
    )
