"""How commands show things to people: instants in the pact's zone, listings that fit 80 columns.

One style for instants everywhere: ``2026-03-02 10:05 EST`` in a sentence; inside a listing
``2026-03-02 10:05``, the zone named once under it (``times in EST (America/New_York)``). JSON keeps
UTC. A listing has light rules and no borders; its ids, times and numbers never wrap, its text columns
fold, so that nothing is cut at 80 columns.
"""

from __future__ import annotations

from datetime import datetime

from rich import box
from rich.console import JustifyMethod
from rich.table import Table

from leadpact.cli.common import console
from leadpact.domain.timeutil import local_short, local_text, parse_instant, zone_names

#: below this width a command leaves out its low-value columns
NARROW = 100


class Times:
    """The instants one command shows, in the pact's zone; remembers them to name the zone once."""

    def __init__(self, zone: str) -> None:
        self.zone = zone
        self._seen: list[datetime] = []

    def _instant(self, value: datetime | str) -> datetime:
        instant = parse_instant(value) if isinstance(value, str) else value
        self._seen.append(instant)
        return instant

    def cell(self, value: datetime | str | None, *, empty: str = "—") -> str:
        """For a listing: ``2026-03-02 10:05`` (the footer names the zone)."""
        return empty if value is None else local_short(self._instant(value), self.zone)

    def text(self, value: datetime | str | None, *, empty: str = "—") -> str:
        """For a sentence: ``2026-03-02 10:05 EST``."""
        return empty if value is None else local_text(self._instant(value), self.zone)

    def footer(self) -> str:
        """``times in EST (America/New_York)``: the zone of the instants shown in listings."""
        return f"times in {zone_names(self._seen, self.zone)}"


def listing(*, title: str | None = None) -> Table:
    """A table for a listing: a rule under the header, two spaces between columns, no borders."""
    return Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        title=title,
        title_justify="left",
        title_style="bold",
    )


def narrow() -> bool:
    """Whether the terminal is too narrow for a command's low-value columns."""
    return console.width < NARROW


def whole(table: Table, *headers: str, justify: JustifyMethod = "left") -> None:
    """Columns whose values are never wrapped: ids, times, statuses, numbers."""
    for header in headers:
        table.add_column(header, no_wrap=True, justify=justify)


def folding(table: Table, header: str, *, min_width: int = 10, ratio: int | None = 1) -> None:
    """A text column that folds its long words (urls, ids in sentences); with a ratio, it shares the room
    left with the other such columns (the table then takes the terminal's width), without one it is as wide
    as its text when there is room."""
    table.add_column(header, overflow="fold", min_width=min_width, ratio=ratio)
    if ratio is not None:
        table.expand = True


def lead_cycle(lead_id: str, n: int) -> str:
    """A lead's handoff in a listing: ``L-1`` for its first, ``L-1 #2`` for a re-handoff."""
    return lead_id if n == 1 else f"{lead_id} #{n}"


def waited(minutes: float) -> str:
    """A wait as people say it: ``4 min``, ``3 h 05 min``, ``2 d 4 h``."""
    total = int(minutes)
    if total < 60:
        return f"{max(total, 0)} min"
    hours, mins = divmod(total, 60)
    if hours < 24:
        return f"{hours} h {mins:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if days < 10 else f"{days} d"
