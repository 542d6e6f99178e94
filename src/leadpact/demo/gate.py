"""The default pact's scoring (DESIGN.md §3), privately, so the generator knows when a lead crosses the gate.

Kept in the demo package on purpose: the generated company is defined against the *default* pact, and
its timelines must stay legal even while the engine's scoring code changes. The arithmetic follows the
§3 formula in the engine's order (activities in time order, rules in pact order), so the crossing found
here is the instant the engine finds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

FIT_TARGET_FUNCTIONS = ("marketing", "sales", "revops")
FIT_SENIOR = ("manager", "director", "vp", "c_level")
FIT_INDUSTRIES = ("software", "saas", "fintech", "ecommerce")
FIT_COUNTRIES = ("US", "CA", "GB", "DE", "FR", "NL", "AU")
_JUNIOR_TITLE = re.compile(r"(?i)intern|student")

# kind -> (points, max), in the default pact's rule order
ENGAGEMENT: tuple[tuple[str, float, float | None], ...] = (
    ("demo_request", 50, None),
    ("trial_signup", 50, None),
    ("pricing_inquiry", 40, None),
    ("webinar_question", 25, None),
    ("event_attended", 20, None),
    ("webinar_attended", 15, None),
    ("pricing_page_view", 10, 30),
    ("content_download", 5, 20),
    ("email_click", 2, 10),
)
_RULE = {kind: i for i, (kind, _, _) in enumerate(ENGAGEMENT)}
HALF_LIFE_DAYS = 30.0
_DAY = 86400.0

MQL_ENGAGEMENT = 30.0
ENTERPRISE_EMPLOYEES = 1000
HIGH_INTENT = frozenset({"demo_request", "trial_signup", "pricing_inquiry"})
REHANDOFF_KINDS = frozenset({"demo_request", "pricing_inquiry"})
REHANDOFF_GAIN = 25.0
REHANDOFF_DAYS = 30
MAX_CYCLES = 3


_FOLDED: dict[tuple[str, ...], frozenset[str]] = {
    options: frozenset(o.casefold() for o in options)
    for options in (FIT_TARGET_FUNCTIONS, FIT_SENIOR, FIT_INDUSTRIES, FIT_COUNTRIES)
}


def _in(value: Any, options: tuple[str, ...]) -> bool:
    """Case-insensitive membership, as the engine compares strings."""
    return isinstance(value, str) and value.strip().casefold() in _FOLDED[options]


def fit_points(fields: Mapping[str, Any]) -> int:
    """The default fit rules: each matching rule adds its points once."""
    points = 0
    employees = fields.get("employees")
    if isinstance(employees, int | float) and 200 <= employees <= 5000:
        points += 20
    if _in(fields.get("job_function"), FIT_TARGET_FUNCTIONS):
        points += 15
    if _in(fields.get("seniority"), FIT_SENIOR):
        points += 15
    if _in(fields.get("industry"), FIT_INDUSTRIES):
        points += 10
    if _in(fields.get("country"), FIT_COUNTRIES):
        points += 5
    title = fields.get("title")
    if isinstance(title, str) and _JUNIOR_TITLE.search(title):
        points -= 30
    return points


def is_enterprise(fields: Mapping[str, Any]) -> bool:
    employees = fields.get("employees")
    return isinstance(employees, int | float) and employees >= ENTERPRISE_EMPLOYEES


def fit_threshold(fields: Mapping[str, Any]) -> int:
    """The MQL fit gate of the lead's segment: enterprise 50, everyone else 40."""
    return 50 if is_enterprise(fields) else 40


def engagement(activities: Sequence[tuple[int, str]], at: int) -> float:
    """Decayed engagement at `at` over (epoch seconds, kind) pairs sorted by time."""
    sums = [0.0] * len(ENGAGEMENT)
    seen = [False] * len(ENGAGEMENT)
    for ts, kind in activities:
        if ts > at:
            break
        i = _RULE.get(kind)
        if i is None:
            continue
        age_days = (at - ts) / _DAY
        sums[i] += ENGAGEMENT[i][1] * 0.5 ** (age_days / HALF_LIFE_DAYS)
        seen[i] = True
    total = 0.0
    for i, (_, _, cap) in enumerate(ENGAGEMENT):
        if seen[i]:
            total += sums[i] if cap is None else min(cap, sums[i])
    return total


def intent_tier(kinds: Sequence[str], engagement_at_handoff: float) -> str:
    """The default intent tiers over a cycle's activity kinds."""
    if any(k in HIGH_INTENT for k in kinds):
        return "high"
    if "webinar_question" in kinds or ("content_download" in kinds and engagement_at_handoff >= 40):
        return "medium"
    return "low"
