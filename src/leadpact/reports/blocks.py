"""What a review is laid out in: sections of paragraphs, tables, lists and charts, every cell already written
for people; `report.md` and `report.html` render the same blocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Block:
    kind: str  # p | table | list | chart
    text: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    right: list[int] = field(default_factory=list)  # columns aligned right (numbers)
    status: int | None = None  # a column of met / missed, coloured in HTML and PDF
    items: list[str] = field(default_factory=list)
    build: Callable[[], dict[str, Any]] | None = None  # a chart's Vega-Lite spec
    svg: str = ""  # the chart drawn, for HTML and PDF


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def p(self, text: str) -> Section:
        self.blocks.append(Block("p", text=text))
        return self

    def table(
        self,
        head: list[str],
        rows: list[list[str]],
        right: list[int] | None = None,
        status: int | None = None,
    ) -> Section:
        self.blocks.append(Block("table", head=head, rows=rows, right=right or [], status=status))
        return self

    def list(self, items: list[str]) -> Section:
        self.blocks.append(Block("list", items=items))
        return self

    def chart(self, title: str, build: Callable[[], dict[str, Any]]) -> Section:
        """A chart; its spec is built only by the formats that draw it (HTML and PDF)."""
        self.blocks.append(Block("chart", text=title, build=build))
        return self
