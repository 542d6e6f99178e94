"""API lists: `{"items": [...], "next_cursor": "..." | null}` with `?cursor=&limit=` (≤ 1,000).

A cursor is the sort key of the last item of a page, base64url-encoded JSON: opaque to clients, and stable —
the next page starts after that key, whatever was added or removed before it meanwhile.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import Query

from leadpact.web.errors import ApiError

MAX_LIMIT = 1000

LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT}).")]
CursorQuery = Annotated[
    str | None, Query(max_length=2000, description="The `next_cursor` of the previous page.")
]


def encode_cursor(key: Sequence[Any]) -> str:
    text = json.dumps(list(key), separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    """The key a cursor holds; 400 naming `cursor` when it is not one of ours."""
    if cursor is None or cursor == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError):
        key = None
    if not isinstance(key, list) or len(key) != arity or any(isinstance(k, list | dict) for k in key):
        raise ApiError(400, "not a cursor this list gave", field="cursor")
    return key


def page_of(
    items: Sequence[dict[str, Any]],
    key: Callable[[dict[str, Any]], Sequence[Any]],
    arity: int,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    """A page of a list already sorted by `key` (a total order of `arity` parts), after the cursor's key."""
    after = decode_cursor(cursor, arity)
    start = 0
    if after is not None:
        try:
            start = next((i for i, item in enumerate(items) if list(key(item)) > after), len(items))
        except TypeError:  # a key of other types than this list's
            raise ApiError(400, "not a cursor this list gave", field="cursor") from None
    chunk = list(items[start : start + limit])
    more = start + limit < len(items)
    return {"items": chunk, "next_cursor": encode_cursor(key(chunk[-1])) if more and chunk else None}
