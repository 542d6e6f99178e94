"""Checks across keys of the pact, and warnings (valid, but probably not what was meant).

Each check names the top-level keys it reads and is skipped when one of them failed its own
validation, so the cross-field errors come together with the others in one report.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from leadpact.pact.base import PactModel
from leadpact.pact.calendars import Calendar, Signoff, calendar_issues
from leadpact.pact.errors import PactIssue, issues_from_validation, join, list_words, show

if TYPE_CHECKING:
    from leadpact.pact.clocks import Segment, Touches
    from leadpact.pact.model import Pact
    from leadpact.pact.scoring import MqlGate, Scoring

Values = Mapping[str, Any]
Check = Callable[[Values], list[PactIssue]]
_CHECKS: list[tuple[tuple[str, ...], Check]] = []


def _check(*keys: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        _CHECKS.append((keys, fn))
        return fn

    return register


def cross_checks(values: Values, failed: set[str]) -> list[PactIssue]:
    """Every cross-key problem among ``values`` (validated top-level values), skipping failed keys."""
    out: list[PactIssue] = []
    for keys, fn in _CHECKS:
        if failed.isdisjoint(keys):
            out.extend(fn(values))
    return out


# --- signatures -------------------------------------------------------------------------------


@_check("mode", "signoff")
def _enforcing_needs_signatures(values: Values) -> list[PactIssue]:
    from leadpact.pact.model import Pact

    if values["mode"] != "enforcing":
        return []
    signoff: Signoff = values["signoff"]
    missing = [f"signoff.{side}" for side in ("marketing", "sales") if getattr(signoff, side) is None]
    if set(Pact.model_fields) <= set(values):  # every key valid: the version is known
        version = Pact.model_construct(**values).version_full
        for side in ("marketing", "sales"):
            signature = getattr(signoff, side)
            if signature is not None and not signature.covers(version):
                missing.append(f"signoff.{side} (signed version {signature.version}, this is {version[:12]})")
    if missing:
        return [
            PactIssue(
                path="mode",
                message='"enforcing" needs both signatures for this version (signoff.marketing and '
                f"signoff.sales); missing: {', '.join(missing)}",
                value="enforcing",
            )
        ]
    return []


def stale_signatures(pact: Pact) -> list[tuple[str, str]]:
    """(side, signed version) for each signature made for another version of the pact."""
    out = []
    for side, ok in pact.signed_by().items():
        signature = getattr(pact.signoff, side)
        if signature is not None and not ok:
            out.append((side, str(signature.version)))
    return out


# --- reachable thresholds ---------------------------------------------------------------------


def _fit_ceiling(scoring: Scoring) -> float:
    return sum(max(0.0, rule.points) for rule in scoring.fit)


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


def _gate_issues(scoring: Scoring, gate: MqlGate, prefix: str, given: set[str]) -> list[PactIssue]:
    out = []
    ceiling = _fit_ceiling(scoring)
    if "fit" in given and gate.fit > ceiling and not math.isclose(gate.fit, ceiling):
        out.append(
            PactIssue(
                path=f"{prefix}.fit",
                message=f"{show(gate.fit)} cannot be reached: the fit rules add up to at most "
                f"{show(ceiling)}",
                value=gate.fit,
            )
        )
    problem = _engagement_problem(scoring, gate.engagement) if "engagement" in given else None
    if problem:
        out.append(PactIssue(path=f"{prefix}.engagement", message=problem, value=gate.engagement))
    return out


@_check("scoring")
def _reachable(values: Values) -> list[PactIssue]:
    scoring: Scoring = values["scoring"]
    return _gate_issues(scoring, scoring.mql, "scoring.mql", {"fit", "engagement"})


@_check("scoring", "segments", "response", "touches", "disposition")
def _segments_resolve(values: Values) -> list[PactIssue]:
    from leadpact.pact.clocks import Disposition, ResponseTiers, Touches, overlay
    from leadpact.pact.scoring import MqlGate

    scoring: Scoring = values["scoring"]
    segments: dict[str, Segment] = values["segments"]
    out: list[PactIssue] = []
    bases: dict[str, tuple[Any, type[PactModel]]] = {
        "mql": (scoring.mql, MqlGate),
        "response": (values["response"], ResponseTiers),
        "touches": (values["touches"], Touches),
        "disposition": (values["disposition"], Disposition),
    }
    for name, segment in segments.items():
        for key, (base, target) in bases.items():
            over = getattr(segment, key)
            if over is None:
                continue
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
                given = {
                    k
                    for k in ("fit", "engagement")
                    if getattr(over, k) is not None and getattr(over, k) != getattr(scoring.mql, k)
                }
                out.extend(_gate_issues(scoring, resolved, f"segments.{name}.mql", given))
    return out


# --- references between keys ------------------------------------------------------------------


def _unknown_reasons(codes: list[str], reasons: Mapping[str, str], path: str) -> list[PactIssue]:
    return [
        PactIssue(
            path=f"{path}[{i}]",
            message=f"{show(code)} is not a reason code of `reasons` ({list_words(reasons)})",
            value=code,
        )
        for i, code in enumerate(codes)
        if code not in reasons
    ]


@_check("touches", "reasons")
def _exempt_reasons(values: Values) -> list[PactIssue]:
    touches: Touches = values["touches"]
    return _unknown_reasons(touches.exempt_reasons, values["reasons"], "touches.exempt_reasons")


@_check("segments", "reasons")
def _segment_exempt_reasons(values: Values) -> list[PactIssue]:
    out: list[PactIssue] = []
    segments: dict[str, Segment] = values["segments"]
    for name, segment in segments.items():
        if segment.touches is not None and segment.touches.exempt_reasons is not None:
            path = f"segments.{name}.touches.exempt_reasons"
            out.extend(_unknown_reasons(segment.touches.exempt_reasons, values["reasons"], path))
    return out


@_check("targets", "sources")
def _target_sources(values: Values) -> list[PactIssue]:
    sources: Mapping[str, str] = values["sources"]
    out = []
    for key in ("sources", "source_rates"):
        for name, share in getattr(values["targets"], key).items():
            if name not in sources:
                out.append(
                    PactIssue(
                        path=f"targets.{key}.{name}",
                        message=f"{show(name)} is not a source of `sources` ({list_words(sources)})",
                        value=share,
                    )
                )
    return out


@_check("calendars", "timezone")
def _calendars(values: Values) -> list[PactIssue]:
    calendars: dict[str, Calendar] = values["calendars"]
    out: list[PactIssue] = []
    if "default" not in calendars:
        out.append(
            PactIssue(
                path="calendars",
                message="has no `default` calendar (clocks of teams without a calendar use it); "
                f"given: {list_words(calendars) or 'none'}",
                value=list(calendars),
            )
        )
    for name, calendar in calendars.items():
        out.extend(calendar_issues(name, calendar, values["timezone"]))
    return out


# --- warnings ---------------------------------------------------------------------------------


def pact_warnings(pact: Pact) -> list[PactIssue]:
    """Valid, but probably not what was meant."""
    from leadpact.pact.model import BUILTIN_ACTIVITY_KINDS

    out: list[PactIssue] = []

    def warn(path: str, message: str, value: Any = None) -> None:
        out.append(PactIssue(path=path, message=message, value=value, severity="warning"))

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
