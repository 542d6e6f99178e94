"""Commitments judged from a metrics document, pure (DESIGN.md §10): met or missed, and runs of misses."""

from __future__ import annotations

from leadpact.domain.commitments import Targets, commitments, judge, runs

T = Targets(acceptance_min=0.7, compliance_min=0.9)
BY_KEY = {c.key: c for c in commitments(T)}


def test_volume_is_judged_against_the_full_target_not_the_escalation_threshold() -> None:
    doc = {"period": "2026-W10", "mql_count": 45, "mql_target": 50.0}
    assert judge(BY_KEY["mql_volume"], doc, T) == {
        "period": "2026-W10",
        "actual": 45,
        "target": 50.0,
        "met": False,
    }
    assert judge(BY_KEY["mql_volume"], {**doc, "mql_count": 50}, T)["met"] is True


def test_rates_meet_at_the_target_and_nothing_to_measure_is_neither() -> None:
    doc = {"period": "2026-03", "acceptance_rate": 0.7, "hygiene_rate": None}
    assert judge(BY_KEY["acceptance"], doc, T)["met"] is True
    assert judge(BY_KEY["acceptance"], {**doc, "acceptance_rate": 0.69}, T)["met"] is False
    assert judge(BY_KEY["hygiene"], doc, T)["met"] is None
    tiers = {"period": "2026-W10", "by_tier": {"high": {"response_compliance": 0.95}}}
    assert judge(BY_KEY["response_high"], tiers, T)["met"] is True
    assert judge(BY_KEY["response_low"], tiers, T)["met"] is None


def test_feedback_is_missed_by_any_flagged_reason() -> None:
    doc = {"period": "2026-03", "reasons": {"a": {"flagged": True}, "b": {"flagged": False}}}
    assert judge(BY_KEY["feedback"], doc, T) == {
        "period": "2026-03",
        "actual": 1,
        "target": 0.0,
        "met": False,
    }


def test_the_current_and_the_longest_run_of_misses() -> None:
    def periods(marks: str) -> list[dict[str, object]]:
        return [{"met": {"x": False, "v": True, ".": None}[c]} for c in marks]

    assert runs(periods("xxvxxx")) == (3, 3)
    assert runs(periods("xxxvx.")) == (0, 3)  # nothing to judge ends a run
    assert runs(periods("")) == (0, 0)
