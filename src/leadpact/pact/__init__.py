"""The pact: the marketing–sales SLA as code (DESIGN.md §3).

``Pact()`` is the complete default pact made from the seeds; :func:`load_pact` reads
``pact.yaml``, :func:`parse_pact` a mapping. Both raise :class:`PactError` listing every problem
at once, each a :class:`PactIssue` that reads
``response.high.business_hours: "5 minutes" is not a duration like 5m, 1h, 2bd``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from leadpact.domain.durations import Duration
from leadpact.pact.base import Condition, Name, PactDuration, PactModel, condition_text
from leadpact.pact.calendars import Calendar, HalfDay, Holidays, Signature, Signoff
from leadpact.pact.checks import cross_checks, pact_warnings
from leadpact.pact.clocks import (
    TOUCH_CHANNELS,
    Disposition,
    Effective,
    ResponseTiers,
    Segment,
    SegmentDisposition,
    SegmentMql,
    SegmentResponse,
    SegmentTouches,
    SplitResponse,
    Touches,
    WithinResponse,
)
from leadpact.pact.errors import NO_VALUE, PactError, PactIssue
from leadpact.pact.loader import YamlDocument, locate, not_a_mapping, read_file, validate_keys
from leadpact.pact.model import BUILTIN_ACTIVITY_KINDS, Pact
from leadpact.pact.plan import (
    DataHygiene,
    Escalation,
    Feedback,
    MarketingVolume,
    Rates,
    Recycle,
    Rehandoff,
    Revenue,
    Reviews,
    SalesResponse,
    Stages,
    Sustained,
    Targets,
)
from leadpact.pact.scoring import TIERS, EngagementRule, FitRule, Intent, IntentCondition, MqlGate, Scoring

__all__ = [
    "BUILTIN_ACTIVITY_KINDS",
    "NO_VALUE",
    "TIERS",
    "TOUCH_CHANNELS",
    "Calendar",
    "Condition",
    "DataHygiene",
    "Disposition",
    "Duration",
    "Effective",
    "EngagementRule",
    "Escalation",
    "Feedback",
    "FitRule",
    "HalfDay",
    "Holidays",
    "Intent",
    "IntentCondition",
    "MarketingVolume",
    "MqlGate",
    "Name",
    "Pact",
    "PactDuration",
    "PactError",
    "PactIssue",
    "PactModel",
    "Rates",
    "Recycle",
    "Rehandoff",
    "ResponseTiers",
    "Revenue",
    "Reviews",
    "SalesResponse",
    "Scoring",
    "Segment",
    "SegmentDisposition",
    "SegmentMql",
    "SegmentResponse",
    "SegmentTouches",
    "Signature",
    "Signoff",
    "SplitResponse",
    "Stages",
    "Sustained",
    "Targets",
    "Touches",
    "WithinResponse",
    "condition_text",
    "load_pact",
    "pact_json_schema",
    "pact_warnings",
    "parse_pact",
]

INIT_HINT = "write one with `leadpact init`"


def _parse(data: Any, source: str, doc: YamlDocument | None) -> Pact:
    if not isinstance(data, Mapping):
        raise not_a_mapping(data, "pact", source)
    known, issues = validate_keys(Pact, data, source)
    issues.extend(cross_checks(known))
    if doc is not None:
        issues = [*doc.problems, *issues]
    if issues:
        raise PactError(locate(issues, doc, source), known=known)
    return Pact.model_validate(known.values)


def parse_pact(data: Mapping[str, Any], source: str = "pact.yaml") -> Pact:
    """Validate a pact given as a mapping (parsed YAML or JSON); :class:`PactError` lists every problem."""
    return _parse(data, source, None)


def load_pact(path: Path | str) -> Pact:
    """Read and validate ``pact.yaml``; :class:`PactError` lists every problem with its line."""
    path = Path(path)
    doc = read_file(path, "pact file", INIT_HINT)
    return _parse(doc.data, str(path), doc)


def pact_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``pact.yaml``: the configuration reference (every key has a description)."""
    schema = Pact.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "leadpact pact.yaml"
    return schema
