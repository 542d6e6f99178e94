"""Why deliveries failed, in words an on-call reader groups at a glance.

A row's ``last_error`` keeps the full text (``ConnectError: [Errno 111] Connection refused``); a report
groups failures by a short reason (``connection refused``) and target, most frequent first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

_HTTP = re.compile(r"^HTTP (\d{3})")
_ENV = re.compile(r"environment variable (\S+) .*is not set")
_SMTP = re.compile(r"^SMTP \S+: (\w+)")
_PLAIN = (
    (("connection refused",), "connection refused"),
    (("name or service not known", "nodename nor servname", "name resolution"), "host not found"),
    (("certificate verify failed", "certificate_verify_failed"), "TLS certificate not trusted"),
    (("timed out", "timeout"), "timed out"),
    (("connection reset", "remoteprotocolerror", "server disconnected"), "connection dropped"),
    (("network is unreachable", "no route to host"), "network unreachable"),
)
REASON_MAX = 60


def reason_of(error: str | None) -> str:
    """The short reason of a failure text, e.g. ``HTTP 500``, ``connection refused``,
    ``LEADPACT_SLACK_URL not set``; other texts are cut to their first line's first 60 characters."""
    if not error:
        return "unknown error"
    text = error.strip()
    if m := _HTTP.match(text):
        return f"HTTP {m.group(1)}"
    if m := _ENV.search(text):
        return f"{m.group(1)} not set"
    lower = text.lower()
    for needles, reason in _PLAIN:
        if any(needle in lower for needle in needles):
            return reason
    if m := _SMTP.match(text):
        return f"SMTP {m.group(1)}"
    first = text.splitlines()[0]
    return first if len(first) <= REASON_MAX else first[: REASON_MAX - 1] + "…"


class Failed(Protocol):
    @property
    def error(self) -> str | None: ...

    @property
    def ref(self) -> str: ...


def group_failures(failures: Iterable[Failed]) -> list[dict[str, Any]]:
    """``[{"reason", "target", "count"}]``, most frequent first (then by reason and target)."""
    counter = Counter((reason_of(f.error), f.ref) for f in failures)
    return _ordered(counter)


def merge_groups(*groups: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Groups of several passes added up."""
    counter: Counter[tuple[str, str]] = Counter()
    for group in groups:
        for g in group:
            counter[(str(g["reason"]), str(g["target"]))] += int(g["count"])
    return _ordered(counter)


def _ordered(counter: Counter[tuple[str, str]]) -> list[dict[str, Any]]:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"reason": reason, "target": target, "count": n} for (reason, target), n in items]


def describe(groups: Iterable[Mapping[str, Any]]) -> str:
    """``48 × connection refused (https://hooks.example/leadpact), 2 × HTTP 500 (slack:X)``."""
    return ", ".join(f"{g['count']} × {g['reason']} ({g['target']})" for g in groups)
