"""Numbers in the pact and the roster are finite and in range wherever they sit, durations and day counts stay
on the calendar, the `ingest` key, and pact files that are not text."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from leadpact.pact import Pact, PactError, load_pact, parse_pact
from leadpact.roster import parse_roster
from leadpact.services.ingest import vocabulary


def problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(PactError) as info:
        parse_pact(data)
    return {issue.path: issue.message for issue in info.value.issues}


INF, NAN = float("inf"), float("nan")


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        (
            {"scoring": {"fit": [{"field": "title", "op": "exists", "points": INF}]}},
            "scoring.fit[0].points",
            "inf",
        ),
        ({"scoring": {"mql": {"fit": NAN}}}, "scoring.mql.fit", "nan"),
        (
            {"scoring": {"engagement": [{"kind": "x", "points": 5, "max": INF}]}},
            "scoring.engagement[0].max",
            "inf",
        ),
        ({"targets": {"rates": {"avg_deal": INF}}}, "targets.rates.avg_deal", "inf"),
        ({"targets": {"revenue": {"new_arr": -INF}}}, "targets.revenue.new_arr", "-inf"),
        ({"targets": {"sources": {"content": NAN}}}, "targets.sources.content", "nan"),
        ({"response": {"warn_at": [0.5, NAN]}}, "response.warn_at[1]", "nan"),
        (
            {"intent": {"medium": [{"kind": "x", "min_engagement": INF}]}},
            "intent.medium[0].min_engagement",
            "inf",
        ),
    ],
)
def test_a_number_that_is_not_finite_is_refused_with_its_key_path(
    data: dict[str, Any], path: str, message: str
) -> None:
    assert problems(data)[path] == f"{message} is not a finite number"


@pytest.mark.parametrize(
    ("when", "path", "message"),
    [
        ({"field": "employees", "op": ">=", "value": INF}, "value", "inf is not a finite number"),
        (
            {"field": "employees", "op": "between", "value": [1, NAN]},
            "value[1]",
            "nan is not a finite number",
        ),
        (
            {"field": "employees", "op": "in", "value": [1, 10**20]},
            "value[1]",
            "100000000000000000000 is out of range (at most ±10^15)",
        ),
        (
            {"field": "employees", "op": "eq", "value": 1e-9},
            "value",
            "1e-09 is too small (0, or at least 0.000001)",
        ),
    ],
)
def test_a_condition_value_is_a_number_like_any_other(when: dict[str, Any], path: str, message: str) -> None:
    assert problems({"segments": {"big": {"when": when}}}) == {f"segments.big.when.{path}": message}


def test_numbers_are_within_ten_to_the_fifteen_and_not_vanishingly_small() -> None:
    found = problems(
        {
            "touches": {"min": 10**16},
            "targets": {"revenue": {"new_arr": 1e300}, "rates": {"close": 1e-300}},
            "scoring": {"mql": {"engagement": 1e-7}},
        }
    )
    assert found["touches.min"] == "10000000000000000 is out of range (at most ±10^15)"
    assert found["targets.revenue.new_arr"] == "1e+300 is out of range (at most ±10^15)"
    assert found["targets.rates.close"] == "1e-300 is too small (0, or at least 0.000001)"
    assert found["scoring.mql.engagement"] == "1e-07 is too small (0, or at least 0.000001)"
    edge = parse_pact({"targets": {"revenue": {"new_arr": 10**15}, "rates": {"close": 0.000001}}})
    assert edge.targets.revenue.new_arr == 10**15  # at the limits: read


def test_durations_stay_within_a_year_and_day_counts_within_a_century() -> None:
    found = problems(
        {
            "disposition": {"within": "262bd"},
            "response": {"low": {"within": "9" * 400 + "m"}},
            "touches": {"within_days": 10**9},
            "recycle": {"rehandoff": {"within_days": 40_000}},
        }
    )
    assert found["disposition.within"] == '"262bd" is longer than a year (at most 261bd)'
    assert found["response.low.within"].endswith("is longer than a year (at most 525600m)")
    assert found["touches.within_days"] == "1000000000 must be at most 36600"
    assert found["recycle.rehandoff.within_days"] == "40000 must be at most 36600"


def test_the_ingest_key_sets_the_future_tolerance_in_wall_time() -> None:
    assert Pact().ingest.future_tolerance.as_timedelta() == timedelta(minutes=15)
    assert vocabulary(Pact()).future_tolerance == timedelta(minutes=15)
    hour = parse_pact({"ingest": {"future_tolerance": "1h"}})
    assert vocabulary(hour).future_tolerance == timedelta(hours=1)
    assert problems({"ingest": {"future_tolerance": "1bd"}})["ingest.future_tolerance"] == (
        '"1bd" is in business days; give wall time like 15m or 1h'
    )
    assert (
        "did you mean future_tolerance"
        in problems({"ingest": {"future_tolerence": "1h"}})["ingest.future_tolerence"]
    )


def test_ingest_at_its_default_leaves_every_signed_version_as_it_was() -> None:
    assert "ingest" not in Pact().canonical()
    assert parse_pact({"ingest": {"future_tolerance": "15m"}}).version == Pact().version
    assert parse_pact({"ingest": {"future_tolerance": "1h"}}).version != Pact().version


def test_names_and_ids_fit_the_store() -> None:
    sources = dict(Pact().sources)
    found = problems({"sources": {**sources, "s" * 65: "marketing"}})
    assert found == {f"sources.{'s' * 65}": f'"{"s" * 58}… is longer than 64 characters'}
    assert "s" * 64 in parse_pact({"sources": {**sources, "s" * 64: "marketing"}}).sources


def test_roster_numbers_follow_the_same_rule() -> None:
    data = {
        "teams": {"t": {}},
        "reps": [{"id": "ana", "team": "t", "weight": INF}, {"id": "x" * 201, "team": "t"}],
        "routing": {"rules": [{"to": "t"}]},
    }
    with pytest.raises(PactError) as info:
        parse_roster(data, Pact())
    found = {issue.path: issue.message for issue in info.value.issues}
    assert found["reps[0].weight"] == "inf is not a finite number"
    assert found["reps[1].id"].endswith("is longer than 200 characters")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: Zoë's pact\n".encode("utf-16"), None),
        (b"\xef\xbb\xbfname: Zo\xc3\xab's pact\n", None),
        ("name: Zoë's pact\n".encode("cp1252"), "is not UTF-8 text: byte 0xeb at line 1, column 9"),
        (b"name: x\x00y\n", "is not a text file (it holds NUL bytes)"),
        (b"scoring: {half_life_days: " + b"1" * 5000 + b"}\n", "is far too long (5,000 digits)"),
        (b"scoring: " + b"[" * 100_000, "is nested too deep"),
    ],
    ids=["utf-16", "utf-8 bom", "cp1252", "nul", "5,000 digits", "deep"],
)
def test_a_pact_file_is_read_as_text_or_refused_in_one_line(
    tmp_path: Path, content: bytes, message: str | None
) -> None:
    path = tmp_path / "pact.yaml"
    path.write_bytes(content)
    if message is None:
        assert load_pact(path).name == "Zoë's pact"
        return
    with pytest.raises(PactError) as info:
        load_pact(path)
    (issue,) = info.value.issues
    assert message in issue.message and "\n" not in str(info.value)


def test_a_directory_or_an_unreadable_pact_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(PactError, match="is a directory, not a pact file"):
        load_pact(tmp_path / "dir.yaml")
    (tmp_path / "pact.yaml").write_text("name: x\n")

    def unreadable(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", unreadable)
    with pytest.raises(PactError, match="cannot be read: Permission denied"):
        load_pact(tmp_path / "pact.yaml")
