"""``ingest``: how events are taken in (DESIGN.md §2)."""

from __future__ import annotations

from pydantic import Field, field_validator

from leadpact.domain.durations import Duration
from leadpact.pact.base import PactDuration, PactModel
from leadpact.pact.errors import custom


class Ingest(PactModel):
    """What ingest accepts beyond the event format itself."""

    future_tolerance: PactDuration = Field(
        default="15m",
        validate_default=True,
        description="An event stamped further ahead of the clock than this is refused ('in the future'); "
        "it allows for senders' clocks running a little fast. Wall time: m or h.",
    )

    @field_validator("future_tolerance")
    @classmethod
    def _wall_time(cls, value: Duration) -> Duration:
        if value.is_business_days:
            raise custom(f'"{value}" is in business days; give wall time like 15m or 1h', value=str(value))
        return value
