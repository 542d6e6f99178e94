"""The mapping file of `leadpact import --mapping FILE` (DESIGN.md §12): any CSV, or overrides of a vendor's.

```yaml
object: leads                      # contacts | leads
timezone: Europe/Berlin            # times without a zone (else the pact's)
columns: {"Lead Src": source, "Signup": created_at, "Plan": attributes.plan}
values:
  source: {"Google Ads": paid_search}     # vendor value -> a source of the pact
  rep: {"Ana R.": ana}                    # -> a rep id of the roster
  stage: {"Closed Won": customer, "Unqualified": disqualified}
  reason: {"Too small": wrong_company_size}
```

Every problem is reported at once, each naming its key (`values.source."Google Ads": "paid" is not a source of
the pact (did you mean paid_search?)`), with the file's line.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadpact.domain.event_fields import suggest
from leadpact.importers.records import DISPOSITIONS, FIELDS, STAGES, is_field
from leadpact.pact.errors import PactError, PactIssue
from leadpact.pact.loader import read_file

OBJECTS = ("contacts", "leads", "tasks", "opportunities")
KEYS = ("object", "timezone", "columns", "values")
VALUE_KINDS = ("source", "rep", "stage", "reason")


@dataclass(frozen=True)
class ImportMapping:
    object: str | None = None
    timezone: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # header (lower case) -> field
    values: dict[str, dict[str, str]] = field(default_factory=dict)


EMPTY = ImportMapping()


def _quoted(key: str) -> str:
    return f'"{key}"' if not key.replace("_", "").isalnum() else key


def load_mapping(
    path: Path,
    *,
    sources: Collection[str],
    reasons: Collection[str],
    reps: Collection[str] | None,
) -> ImportMapping:
    """The mapping file, validated against the pact's sources and reasons and the roster's reps (None: no
    roster, any rep id). Raises PactError with every problem at once."""
    doc = read_file(path, "mapping file", "see `leadpact import --help`")
    source = str(path)
    issues: list[PactIssue] = []

    def problem(key: str, message: str) -> None:
        issues.append(PactIssue(path=key, message=message, source=source, line=doc.line_of(key)))

    data = doc.data
    if not isinstance(data, Mapping):
        raise PactError([PactIssue(path="", message="must be a mapping of keys (object, columns, values, "
                                   "timezone)", source=source, line=1)])  # fmt: skip
    for key in data:
        if key not in KEYS:
            problem(str(key), f"unknown key{suggest(str(key), KEYS)}; expected {', '.join(KEYS)}")
    obj = data.get("object")
    if obj is not None and obj not in OBJECTS:
        problem("object", f"{obj!r} is not an object to import; expected {' or '.join(OBJECTS)}")
    zone = data.get("timezone")
    if zone is not None:
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            problem("timezone", f"{zone!r} is not a time zone like America/New_York")
    columns: dict[str, str] = {}
    raw_columns = data.get("columns") or {}
    if not isinstance(raw_columns, Mapping):
        problem("columns", 'must map CSV columns to fields, like {"Lead Src": source}')
        raw_columns = {}
    for column, target in raw_columns.items():
        key = f"columns.{_quoted(str(column))}"
        if not isinstance(target, str) or not is_field(target):
            problem(
                key,
                f"{target!r} is not a field{suggest(str(target), FIELDS)}; expected one of "
                f"{', '.join(FIELDS)} or attributes.<name>",
            )
            continue
        columns[str(column).strip().lower()] = target
    allowed: dict[str, Collection[str] | None] = {
        "source": sources,
        "reason": reasons,
        "stage": (*STAGES, *DISPOSITIONS),
        "rep": reps,
    }
    values: dict[str, dict[str, str]] = {}
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, Mapping):
        problem("values", "must map kinds (source, rep, stage, reason) to {vendor value: pact word}")
        raw_values = {}
    for kind, table in raw_values.items():
        if kind not in VALUE_KINDS:
            problem(f"values.{kind}", f"unknown kind{suggest(str(kind), VALUE_KINDS)}; expected "
                    f"{', '.join(VALUE_KINDS)}")  # fmt: skip
            continue
        if not isinstance(table, Mapping):
            problem(
                f"values.{kind}", 'must map vendor values to pact words, like {"Organic Search": content}'
            )
            continue
        words = allowed[kind]
        for vendor, word in table.items():
            key = f"values.{kind}.{_quoted(str(vendor))}"
            if not isinstance(word, str) or not word.strip():
                problem(key, f"must be a {kind} name, not {word!r}")
            elif words is not None and word not in words:
                what = {"source": "a source of the pact", "reason": "a reason code of the pact",
                        "stage": "a stage or disposition", "rep": "a rep id of the roster"}[kind]  # fmt: skip
                problem(key, f"{word!r} is not {what}{suggest(word, list(words))}; expected one of "
                        f"{', '.join(sorted(words))}")  # fmt: skip
            else:
                values.setdefault(kind, {})[str(vendor)] = word
    if issues:
        raise PactError(issues)
    return ImportMapping(obj, None if zone is None else str(zone), columns, values)
