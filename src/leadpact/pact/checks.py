"""Checks across keys of the pact, and warnings (valid, but probably not what was meant).

Each check reads what is :class:`~leadpact.pact.partial.Known` of the file and judges only the parts
that validated as written (``known.ok(path)``), so the cross-key errors come in the same report as the
others, and none of them is a consequence of another error.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from leadpact.pact.base import PactModel
from leadpact.pact.calendars import Calendar, calendar_issues
from leadpact.pact.errors import PactIssue, issues_from_validation, join, list_words, show
from leadpact.pact.partial import Known

if TYPE_CHECKING:
    from leadpact.pact.clocks import Segment, Touches
    from leadpact.pact.model import Pact
    from leadpact.pact.scoring import MqlGate, Scoring

Check = Callable[[Known], list[PactIssue]]
_CHECKS: list[Check] = []


def _check(fn: Check) -> Check:
    _CHECKS.append(fn)
    return fn


def cross_checks(known: Known) -> list[PactIssue]:
    """Every cross-key problem that can be judged from what is known of the pact."""
    out: list[PactIssue] = []
    for fn in _CHECKS:
        out.extend(fn(known))
    return out


# --- signatures -------------------------------------------------------------------------------


def unsigned_enforcing(pact: Pact) -> list[str]:
    """The sides whose signature of this version is missing while the pact asks for enforcing mode: until
    both heads sign the version in force, it monitors (DESIGN.md §10)."""
    if pact.mode != "enforcing":
        return []
    return [side for side, signed in pact.signed_by().items() if not signed]


def stale_signatures(pact: Pact) -> list[tuple[str, str]]:
    """(side, signed version) for each signature made for another version of the pact."""
    out = []
    for side, ok in pact.signed_by().items():
        signature = getattr(pact.signoff, side)
        if signature is not None and not ok:
            out.append((side, str(signature.version)))
    return out


# --- reachable thresholds ---------------------------------------------------------------------


def _fit_ceiling(known: Known) -> float | None:
    """The most fit points a lead can get; None when a rule's points are not known. A rule's points count
    whatever its field or condition says (those are judged on their own)."""
    if not known.present("scoring.fit"):
        return None
    rules = known["scoring"].fit
    if None in rules or not known.ok(*(f"scoring.fit[{i}].points" for i in range(len(rules)))):
        return None
    return float(sum(max(0.0, rule.points) for rule in rules))


def _engagement_problem(scoring: Scoring, threshold: float) -> str | None:
    if threshold <= 0:
        return None
    giving = [rule for rule in scoring.engagement if rule.points > 0]
    if not giving:
        return f"{show(threshold)} cannot be reached: no engagement rule gives points"
    if all(rule.max is not None for rule in giving):
        ceiling = sum(rule.max or 0.0 for rule in giving)
        if ceiling < threshold:
            return (
                f"{show(threshold)} cannot be reached: every engagement rule has a max and "
                f"together they give at most {show(ceiling)}"
            )
    return None


def _gate_issues(known: Known, gate: MqlGate, prefix: str, given: set[str]) -> list[PactIssue]:
    out = []
    ceiling = _fit_ceiling(known) if "fit" in given else None
    if ceiling is not None and gate.fit > ceiling and not math.isclose(gate.fit, ceiling):
        out.append(
            PactIssue(
                path=f"{prefix}.fit",
                message=f"{show(gate.fit)} cannot be reached: the fit rules add up to at most "
                f"{show(ceiling)}",
                value=gate.fit,
            )
        )
    engagement_known = "engagement" in given and known.ok("scoring.engagement")
    problem = _engagement_problem(known["scoring"], gate.engagement) if engagement_known else None
    if problem:
        out.append(PactIssue(path=f"{prefix}.engagement", message=problem, value=gate.engagement))
    return out


@_check
def _reachable(known: Known) -> list[PactIssue]:
    given = {key for key in ("fit", "engagement") if known.ok(f"scoring.mql.{key}")}
    if not given:
        return []
    return _gate_issues(known, known["scoring"].mql, "scoring.mql", given)


@_check
def _segments_resolve(known: Known) -> list[PactIssue]:
    from leadpact.pact.clocks import Disposition, ResponseTiers, Touches, overlay
    from leadpact.pact.scoring import MqlGate

    if "segments" not in known.values:
        return []
    segments: dict[str, Segment] = known["segments"]
    out: list[PactIssue] = []
    bases: dict[str, tuple[str, type[PactModel]]] = {
        "mql": ("scoring.mql", MqlGate),
        "response": ("response", ResponseTiers),
        "touches": ("touches", Touches),
        "disposition": ("disposition", Disposition),
    }
    for name, segment in segments.items():
        for key, (base_path, target) in bases.items():
            if not known.ok(f"segments.{name}.{key}", base_path):
                continue
            over = getattr(segment, key)
            if over is None:
                continue
            base = known["scoring"].mql if key == "mql" else known[key]
            try:
                resolved = overlay(base, over, target)
            except ValidationError as exc:
                for issue in issues_from_validation(exc):
                    out.append(
                        PactIssue(
                            path=join(f"segments.{name}.{key}", issue.path),
                            message=issue.message + " (with the pact's values for the keys left out)",
                            value=issue.value,
                        )
                    )
                continue
            if key == "mql":
                # a threshold equal to the pact's own is judged (and reported) there
                mql = known["scoring"].mql
                given = {
                    k
                    for k in ("fit", "engagement")
                    if getattr(over, k) is not None and getattr(over, k) != getattr(mql, k)
                }
                out.extend(_gate_issues(known, resolved, f"segments.{name}.mql", given))
    return out


# --- references between keys ------------------------------------------------------------------


def _unknown_reasons(codes: list[str], reasons: tuple[str, ...], path: str) -> list[PactIssue]:
    return [
        PactIssue(
            path=f"{path}[{i}]",
            message=f"{show(code)} is not a reason code of `reasons` ({list_words(reasons)})",
            value=code,
        )
        for i, code in enumerate(codes)
        if code not in reasons
    ]


@_check
def _exempt_reasons(known: Known) -> list[PactIssue]:
    reasons = known.keys("reasons")
    if reasons is None or not known.ok("touches.exempt_reasons"):
        return []
    touches: Touches = known["touches"]
    return _unknown_reasons(touches.exempt_reasons, reasons, "touches.exempt_reasons")


@_check
def _segment_exempt_reasons(known: Known) -> list[PactIssue]:
    reasons = known.keys("reasons")
    if reasons is None or "segments" not in known.values:
        return []
    out: list[PactIssue] = []
    segments: dict[str, Segment] = known["segments"]
    for name, segment in segments.items():
        path = f"segments.{name}.touches.exempt_reasons"
        if not known.ok(path) or segment.touches is None or segment.touches.exempt_reasons is None:
            continue
        out.extend(_unknown_reasons(segment.touches.exempt_reasons, reasons, path))
    return out


@_check
def _target_sources(known: Known) -> list[PactIssue]:
    sources = known.keys("sources")
    if sources is None:
        return []
    out = []
    for key in ("sources", "source_rates"):
        if not known.ok(f"targets.{key}"):
            continue
        for name, share in getattr(known["targets"], key).items():
            if name not in sources:
                out.append(
                    PactIssue(
                        path=f"targets.{key}.{name}",
                        message=f"{show(name)} is not a source of `sources` ({list_words(sources)})",
                        value=share,
                    )
                )
    return out


@_check
def _calendars(known: Known) -> list[PactIssue]:
    out: list[PactIssue] = []
    names = known.keys("calendars")
    if names is not None and "default" not in names:
        out.append(
            PactIssue(
                path="calendars",
                message="has no `default` calendar (clocks of teams without a calendar use it); "
                f"given: {list_words(names) or 'none'}",
                value=list(names),
            )
        )
    if "calendars" not in known.values:
        return out
    calendars: dict[str, Calendar] = known["calendars"]
    zone = known["timezone"] if known.ok("timezone") else "UTC"
    for name, calendar in calendars.items():
        base = f"calendars.{name}"
        if not known.ok(f"{base}.hours"):
            continue  # the hours are what makes a calendar; nothing else can be judged without them
        keep = {key: getattr(calendar, key) for key in ("timezone", "holidays") if known.ok(f"{base}.{key}")}
        out.extend(calendar_issues(name, Calendar.model_construct(hours=calendar.hours, **keep), zone))
    return out


# --- warnings ---------------------------------------------------------------------------------


def pact_warnings(pact: Pact) -> list[PactIssue]:
    """Valid, but probably not what was meant."""
    from leadpact.pact.model import BUILTIN_ACTIVITY_KINDS

    out: list[PactIssue] = []

    def warn(path: str, message: str, value: Any = None) -> None:
        out.append(PactIssue(path=path, message=message, value=value, severity="warning"))

    missing = unsigned_enforcing(pact)
    if missing:
        warn(
            "mode",
            f'"enforcing" monitors until both heads sign version {pact.version}: missing '
            f"{' and '.join(missing)} (`leadpact sign --as {missing[0]} --name NAME` once it is in force)",
            "enforcing",
        )
    for side, signed in stale_signatures(pact):
        warn(
            f"signoff.{side}.version",
            f"{show(signed)} is not this pact's version ({pact.version}): the pact changed since it was "
            "signed; sign again (enforcing mode needs it)",
            signed,
        )
    catch_all = None
    for name, segment in pact.segments.items():
        if catch_all is not None:
            warn(f"segments.{name}", f"never matches: segment {catch_all} before it has no `when`")
        elif segment.when is None:
            catch_all = name
    named: list[tuple[str, str]] = [
        (f"scoring.engagement[{i}].kind", r.kind) for i, r in enumerate(pact.scoring.engagement)
    ]
    for tier, conditions in pact.intent.tiers.items():
        named.extend((f"intent.{tier}[{i}].kind", c.kind) for i, c in enumerate(conditions))
    named.extend(
        (f"recycle.rehandoff.or_kinds[{i}]", k) for i, k in enumerate(pact.recycle.rehandoff.or_kinds)
    )
    for path, kind in named:
        if kind in BUILTIN_ACTIVITY_KINDS:
            continue
        close = difflib.get_close_matches(kind, sorted(BUILTIN_ACTIVITY_KINDS), n=1, cutoff=0.8)
        if close:
            warn(path, f"{show(kind)} is a new activity kind; did you mean {close[0]}?", kind)
    planned = pact.targets.sources
    if planned:
        total = sum(planned.values())
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            warn("targets.sources", f"the shares add up to {total:g}, not 1; the plan normalises them", total)
        for name in planned:
            if name not in pact.targets.source_rates:
                warn(f"targets.sources.{name}", "has no source_rates entry; the plan uses rates.mql_to_sql")
            if name in pact.sales_sources:
                warn(f"targets.sources.{name}", "is a sales source in a plan of marketing MQLs")
    return out
