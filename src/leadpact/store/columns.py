"""What the metrics read of the stored handoffs and clocks: their metric columns, declared once.

The period reads (`services.period_reads`) read exactly these columns into the vectorised metrics' columns;
the month packs hold them, are invalidated when a write changes one of them (`store.packs.changed_days`
compares them), and carry a `FORMAT` derived from this spec, so a pack read under another spec is read
again. A test holds `domain.metrics.columns.HandoffColumns` and `ClockColumns` to it.
"""

from __future__ import annotations

import json
import zlib

#: the instants a period's metrics read of a handoff (its dating instants among them)
HANDOFF_INSTANTS = (
    "mql_at",
    "first_touch_at",
    "disposition_at",
    "sql_at",
    "opportunity_at",
    "customer_at",
    "rejected_at",
    "disqualified_at",
    "recycled_at",
    "closed_lost_at",
    "first_activity_at",
    "lead_first_touch_at",
)
#: its labels, read as two combined keys of few distinct values each (`services.period_reads`)
HANDOFF_KEYS = (
    ("source", "campaign", "tier", "segment"),
    ("owner", "team", "outcome_reason", "closer", "product"),
)
#: its other values: numbers, and what the flags of the columns are computed from
HANDOFF_VALUES = ("n", "kind", "disposition", "min_touch_met", "flags", "touches", "amount", "won_amount")

CLOCK_INSTANTS = ("due_at", "met_at", "cancelled_at")
CLOCK_KEY = ("tier", "segment", "owner", "team")
CLOCK_VALUES = ("n", "kind")

#: every column whose change changes what a metric reads (a pack holding the row is then stale)
HANDOFF_READ: tuple[str, ...] = (*HANDOFF_VALUES, *HANDOFF_INSTANTS, *HANDOFF_KEYS[0], *HANDOFF_KEYS[1])
CLOCK_READ: tuple[str, ...] = (*CLOCK_VALUES, *CLOCK_INSTANTS, *CLOCK_KEY)
INSTANTS = frozenset({*HANDOFF_INSTANTS, *CLOCK_INSTANTS})

#: bump when *how* these columns are read or packed changes (what they are is covered by the spec itself)
READING_RULES = 6


def _format() -> int:
    spec = [READING_RULES, HANDOFF_READ, CLOCK_READ, list(HANDOFF_KEYS), CLOCK_KEY]
    return zlib.crc32(json.dumps(spec).encode()) & 0x7FFFFFFF  # the packs' `format` column is an INTEGER


#: the month packs' format: packs of another format are read again
FORMAT = _format()
