"""A review document (`services.reviews.review_document`) laid out as sections (`blocks`) in the order of its
agenda: the weekly agenda first (`agenda`), then what the longer reviews add (`trends`, `learning`). Every
number is written by `leadpact.formatting`; charts are the dashboard's Vega-Lite specs (`leadpact.charts`)."""

from __future__ import annotations

from typing import Any

from leadpact.reports import learning, trends
from leadpact.reports.agenda import assumptions, decisions, escalations, numbers, scorecard, violations
from leadpact.reports.blocks import Block, Section

__all__ = ["Block", "Section", "sections", "title"]

TITLES = {"weekly": "Weekly SLA review", "monthly": "Monthly review", "quarterly": "Quarterly review",
          "annual": "Annual review"}  # fmt: skip


def sections(doc: dict[str, Any]) -> list[Section]:
    """The review's sections in the order of its agenda."""
    kind = doc["kind"]
    out = [scorecard(doc), numbers(doc)]
    if kind == "weekly":
        out += [violations(doc), escalations(doc), decisions(doc, "Corrective actions"), assumptions(doc)]
    elif kind == "monthly":
        out += [
            trends.trend(doc, "Quality over six months"),
            trends.reasons(doc),
            trends.changes(doc),
            trends.sources(doc),
            trends.closed_loop(doc),
            decisions(doc, "Decisions made and carried"),
        ]
    elif kind == "quarterly":
        out += [
            trends.trend(doc, "The quarter month by month"),
            trends.waterfall(doc),
            trends.calibration(doc),
            learning.curve(doc),
            learning.erlang(doc),
            trends.proposals(doc),
            violations(doc),
            escalations(doc),
        ]
    else:
        out += [trends.trend(doc, "The four quarters"), trends.capacity(doc), trends.sources(doc)]
    return out


def title(doc: dict[str, Any]) -> str:
    return f"{TITLES[doc['kind']]} · {doc['period']}"
