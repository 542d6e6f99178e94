"""`pact diff`, pure: two pacts compared key by key, list items by index, segments' order as its own key."""

from __future__ import annotations

from leadpact.pact import Pact, parse_pact
from leadpact.services.pact_history import flatten, key_diff


def test_a_changed_number_an_added_rule_and_a_reordered_segment_each_show_once() -> None:
    base = Pact()
    fit = [rule.model_dump(mode="json") for rule in base.scoring.fit]
    fit[0]["points"] = 25
    fit.append({"field": "region", "op": "eq", "value": "EMEA", "points": 5})
    changed = parse_pact(
        {
            "scoring": {"fit": fit},
            "escalation": {"marketing_volume": {"below": 0.75}},
            "segments": {"smb": {}, "enterprise": base.segments["enterprise"].model_dump(mode="json")},
        }
    )
    diff = {d["key"]: d for d in key_diff(base, changed)}
    assert diff["scoring.fit[0].points"] == {
        "key": "scoring.fit[0].points",
        "change": "changed",
        "from": 20,
        "to": 25,
    }
    assert diff["escalation.marketing_volume.below"]["to"] == 0.75
    assert diff["scoring.fit[6].field"] == {
        "key": "scoring.fit[6].field",
        "change": "added",
        "from": None,
        "to": "region",
    }
    assert diff["segments (order)"]["to"] == ["smb", "enterprise"]
    assert key_diff(base, Pact()) == []
    assert "signoff" not in " ".join(flatten(base))  # signatures are not part of a version
