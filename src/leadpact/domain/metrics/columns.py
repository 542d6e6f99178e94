"""The rows of a period as numpy columns (what :class:`HandoffFacts`, :class:`ClockFacts` and
:class:`Activity` hold, a column each), and which list of the period each handoff row is in.

Instants are int64 microseconds UTC; ``NONE_US`` (int64 max) stands for a missing instant, so that "at or
before ``as_of``" and "inside the period" are false for it without a separate mask. Strings are
:class:`Codes`: an index per row into a tuple of names, -1 for None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from leadpact.domain import dating
from leadpact.domain.metrics.facts import Activity, ClockFacts, HandoffFacts
from leadpact.domain.timeutil import to_us

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
NONE_US = np.iinfo(np.int64).max

#: business minutes of each (start, end) pair of int64 µs arrays, as floats (``MetricParams.business_minutes``
#: over arrays)
BusinessMinutes = Callable[[I64, I64], F64]


def instants(values: Iterable[datetime | None]) -> I64:
    return np.fromiter((NONE_US if v is None else to_us(v) for v in values), dtype=np.int64)


@dataclass(frozen=True)
class Codes:
    """A string column: ``names[codes[i]]``, or None where ``codes[i] == -1``."""

    codes: I64
    names: tuple[str, ...]

    @staticmethod
    def of(values: Iterable[str | None]) -> Codes:
        items = list(values)
        names = tuple(v for v in dict.fromkeys(items) if v is not None)
        index: dict[str | None, int] = {v: k for k, v in enumerate(names)}
        index[None] = -1
        codes = np.fromiter(map(index.__getitem__, items), dtype=np.int64, count=len(items))
        return Codes(codes, names)

    def value(self, i: int) -> str | None:
        c = int(self.codes[i])
        return None if c < 0 else self.names[c]

    def take(self, index: I64 | B) -> Codes:
        return Codes(self.codes[index], self.names)

    def where_names(self, test: Callable[[str], bool]) -> B:
        """Per row: its value is not None and passes ``test``."""
        table = np.asarray([bool(test(name)) for name in self.names] + [False], dtype=bool)
        return table[self.codes]  # -1 takes the trailing False


@dataclass(frozen=True)
class HandoffColumns:
    """The handoff rows of a period (each row once), as :class:`HandoffFacts` hold them."""

    lead_id: Sequence[str]
    n: I64
    mql: B  # kind == "mql"
    mql_at: I64
    first_touch_at: I64
    disposition_at: I64
    sql_at: I64
    opportunity_at: I64
    customer_at: I64
    rejected_at: I64
    disqualified_at: I64
    recycled_at: I64
    closed_lost_at: I64
    first_activity_at: I64
    lead_first_touch_at: I64
    touches: I64
    accepted: B  # disposition == "accepted"
    min_touch_met: B  # truthy
    min_touch_owed: B  # min_touch_met is not None: a close that owed the minimum touches
    amount: F64  # amount or 0.0
    won: F64  # HandoffFacts.won
    incomplete_sql: B
    incomplete_opportunity: B
    untracked: B  # a history cycle imported without touches (HandoffFacts.tracked is False)
    source: Codes
    tier: Codes
    segment: Codes
    owner: Codes
    team: Codes
    campaign: Codes
    outcome_reason: Codes
    closer: Codes
    product: Codes

    def __len__(self) -> int:
        return int(self.n.size)

    @staticmethod
    def of(rows: Sequence[HandoffFacts]) -> HandoffColumns:
        return HandoffColumns(
            lead_id=[h.lead_id for h in rows],
            n=np.fromiter((h.n for h in rows), dtype=np.int64, count=len(rows)),
            mql=np.fromiter((h.kind == "mql" for h in rows), dtype=bool, count=len(rows)),
            mql_at=instants(h.mql_at for h in rows),
            first_touch_at=instants(h.first_touch_at for h in rows),
            disposition_at=instants(h.disposition_at for h in rows),
            sql_at=instants(h.sql_at for h in rows),
            opportunity_at=instants(h.opportunity_at for h in rows),
            customer_at=instants(h.customer_at for h in rows),
            rejected_at=instants(h.rejected_at for h in rows),
            disqualified_at=instants(h.disqualified_at for h in rows),
            recycled_at=instants(h.recycled_at for h in rows),
            closed_lost_at=instants(h.closed_lost_at for h in rows),
            first_activity_at=instants(h.first_activity_at for h in rows),
            lead_first_touch_at=instants(h.lead_first_touch_at for h in rows),
            touches=np.fromiter((h.touches for h in rows), dtype=np.int64, count=len(rows)),
            accepted=np.fromiter((h.disposition == "accepted" for h in rows), dtype=bool, count=len(rows)),
            min_touch_met=np.fromiter((bool(h.min_touch_met) for h in rows), dtype=bool, count=len(rows)),
            min_touch_owed=np.fromiter(
                (h.min_touch_met is not None for h in rows), dtype=bool, count=len(rows)
            ),
            amount=np.fromiter((float(h.amount or 0.0) for h in rows), dtype=np.float64, count=len(rows)),
            won=np.fromiter((h.won for h in rows), dtype=np.float64, count=len(rows)),
            incomplete_sql=np.fromiter((h.incomplete("sql") for h in rows), dtype=bool, count=len(rows)),
            incomplete_opportunity=np.fromiter(
                (h.incomplete("opportunity") for h in rows), dtype=bool, count=len(rows)
            ),
            untracked=np.fromiter((not h.tracked for h in rows), dtype=bool, count=len(rows)),
            source=Codes.of(h.source for h in rows),
            tier=Codes.of(h.tier for h in rows),
            segment=Codes.of(h.segment for h in rows),
            owner=Codes.of(h.owner for h in rows),
            team=Codes.of(h.team for h in rows),
            campaign=Codes.of(h.campaign for h in rows),
            outcome_reason=Codes.of(h.outcome_reason for h in rows),
            closer=Codes.of(h.closer for h in rows),
            product=Codes.of(h.product for h in rows),
        )


@dataclass(frozen=True)
class ClockColumns:
    """The first-contact and disposition clocks of a period (``PeriodFacts.first_contact`` and
    ``.disposition_clocks``), as :class:`ClockFacts` hold them."""

    lead_id: Sequence[str]
    first_contact: B  # True: a first-contact clock, False: a disposition clock
    due_at: I64
    met_at: I64
    cancelled_at: I64
    n: I64
    source: Codes
    tier: Codes
    segment: Codes
    owner: Codes
    team: Codes
    campaign: Codes

    def __len__(self) -> int:
        return int(self.n.size)

    @staticmethod
    def of(first_contact: Sequence[ClockFacts], disposition: Sequence[ClockFacts]) -> ClockColumns:
        rows = [*first_contact, *disposition]
        return ClockColumns(
            lead_id=[c.lead_id for c in rows],
            first_contact=np.arange(len(rows)) < len(first_contact),
            due_at=instants(c.clock.due_at for c in rows),
            met_at=instants(c.clock.met_at for c in rows),
            cancelled_at=instants(c.clock.cancelled_at for c in rows),
            n=np.fromiter((c.n for c in rows), dtype=np.int64, count=len(rows)),
            source=Codes.of(c.source for c in rows),
            tier=Codes.of(c.tier for c in rows),
            segment=Codes.of(c.segment for c in rows),
            owner=Codes.of(c.owner for c in rows),
            team=Codes.of(c.team for c in rows),
            campaign=Codes.of(c.campaign for c in rows),
        )


@dataclass(frozen=True)
class ActivityColumns:
    """Activities of leads (``Activity`` per row), for attribution."""

    lead: Codes  # the lead of each activity
    at: I64
    asset: Codes
    campaign: Codes
    source: Codes

    @staticmethod
    def of(activities: Mapping[str, Sequence[Activity]]) -> ActivityColumns:
        rows = [(lead, a) for lead, acts in activities.items() for a in acts]
        return ActivityColumns(
            lead=Codes.of(lead for lead, _ in rows),
            at=instants(a.at for _, a in rows),
            asset=Codes.of(a.asset for _, a in rows),
            campaign=Codes.of(a.campaign for _, a in rows),
            source=Codes.of(a.source for _, a in rows),
        )


@dataclass(frozen=True)
class Lists:
    """Which rows are in which list of ``PeriodFacts`` (the services' split of the period's rows)."""

    cohort: B
    disposed: B
    closed: B
    flagged: B
    sqls: B
    opportunities: B
    won: B
    lost: B

    def any(self) -> B:
        out: B = (
            self.cohort
            | self.disposed
            | self.closed
            | self.flagged
            | self.sqls
            | self.opportunities
            | self.won
            | self.lost
        )
        return out


def period_lists(h: HandoffColumns, start: int, end: int) -> Lists:
    """The lists of ``PeriodFacts`` over the period's handoff rows, each by its dating columns
    (``domain.dating``)."""
    return Lists(**dating.lists_vec(h, start, end))
