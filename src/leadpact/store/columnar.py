"""Whole columns out of one SELECT: the values of each selected expression over the rows a `FROM ... WHERE
...` picks, as numpy arrays (numbers) or lists (text), without a Python object per row.

Columns travel packed where the database can pack them: one row per query whose values are whole columns
(PostgreSQL: `string_agg` of `int8send`/`float8send`, read with `np.frombuffer`; SQLite: `group_concat` of the
values as text, `quote()` for exact floats, read with `np.fromstring`), strings joined by a separator and
factorised once. Every aggregate of one SELECT sees the rows in the same order, so the columns line up. A
value that holds a separator character makes the read fall back to reading rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection

from leadpact.domain.metrics.columns import Codes

_SEP = "\x1f"  # between the values of a packed text column
_PART = "\x1e"  # between the parts of a combined key


@dataclass(frozen=True)
class Col:
    """A column to read: a SQL expression over the FROM item, read as int64, float64 or text. With a `fill`,
    the expression may be NULL (that row gets `fill`) and only the non-NULL values travel."""

    name: str
    expr: str
    kind: str  # "int" | "float" | "text"
    fill: int | float | None = None


Columns = dict[str, Any]  # name -> int64 / float64 array, or list of str


class Dialect:
    def __init__(self, conn: Connection) -> None:
        self.name = conn.dialect.name
        self.mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.conn = conn

    def cursor(self) -> Any:
        raw = self.conn.connection.driver_connection
        if self.name == "postgresql":
            return raw.cursor(binary=True)  # type: ignore[union-attr]
        return raw.cursor()  # type: ignore[union-attr]

    def run(self, sql: str, params: Sequence[Any], one: bool = False) -> Any:
        cursor = self.cursor()
        try:
            cursor.execute(sql, tuple(params))
            return cursor.fetchone() if one else cursor.fetchall()
        finally:
            cursor.close()

    def prepare(self) -> None:
        """PostgreSQL: no JIT compilation and no parallel workers for these short reads (both cost more to
        start than the reads take); for this transaction only."""
        if self.name == "postgresql":
            self.run(
                "SELECT set_config('jit', 'off', true), "
                "set_config('max_parallel_workers_per_gather', '0', true)",
                (),
            )

    def contains(self, column: str, needle: str) -> str:
        """`needle in column`, case-sensitive, no wildcard."""
        func = "instr" if self.name == "sqlite" else "strpos"
        return f"{func}({column}, '{needle}') > 0"

    def key(self, columns: Sequence[str]) -> str:
        """One text value from several nullable text columns: each `=value` or empty when NULL."""
        return f" || '{_PART}' || ".join(f"COALESCE('=' || {c}, '')" for c in columns)

    def json_text(self, column: str, key: str) -> str:
        """The text value of a key of a JSON object (NULL when absent)."""
        if self.name == "sqlite":
            return f"json_extract({column}, '$.{key}')"
        return f"CAST({column} AS json) ->> '{key}'"


def read_columns(
    d: Dialect, cols: Sequence[Col], from_where: str, params: Sequence[Any]
) -> tuple[int, Columns]:
    """The columns of the rows `FROM ... WHERE ...` selects: packed into one row when the database can
    (see the module's doc), else row by row."""
    if d.name in ("sqlite", "postgresql"):
        packed = _read_packed(d, cols, from_where, params)
        if packed is not None:
            return packed
    return _read_rows(d, cols, from_where, params)


def _read_packed(
    d: Dialect, cols: Sequence[Col], from_where: str, params: Sequence[Any]
) -> tuple[int, Columns] | None:
    sparse = [c for c in cols if c.fill is not None]
    nulls = " + ".join(f"(CASE WHEN {c.expr} IS NULL THEN {1 << k} ELSE 0 END)" for k, c in enumerate(sparse))
    select = ["COUNT(*)"]
    if sparse:
        select.append(_packed_expr(d, Col("", nulls, "int")))
    select.extend(_packed_expr(d, c) for c in cols)
    row = d.run(f"SELECT {', '.join(select)} {from_where}", params, one=True)
    count = int(row[0])
    values = list(row[1:])
    null_bits = _unpack(d, "int", values.pop(0), count) if sparse else None
    out: Columns = {}
    for c in cols:
        v = values.pop(0)
        if c.fill is None:
            arr = _unpack(d, c.kind, v, count)
            if arr is None:
                return None
            out[c.name] = arr
            continue
        assert null_bits is not None
        present = (null_bits & (1 << sparse.index(c))) == 0
        got = _unpack(d, c.kind, v, int(present.sum()))
        if got is None:
            return None
        full = np.full(count, c.fill, dtype=np.int64 if c.kind == "int" else np.float64)
        full[present] = got
        out[c.name] = full
    return count, out


def _packed_expr(d: Dialect, c: Col) -> str:
    if d.name == "sqlite":
        if c.kind == "text":
            return f"group_concat({c.expr}, '{_SEP}')"
        if c.kind == "float":  # quote(): text that reads back as the same double
            return f"group_concat(nullif(quote({c.expr}), 'NULL'))"
        return f"group_concat({c.expr})"
    if c.kind == "text":
        return f"string_agg({c.expr}, '{_SEP}')"
    if c.kind == "float":
        return f"string_agg(float8send(CAST({c.expr} AS DOUBLE PRECISION)), NULL)"
    return f"string_agg(int8send(CAST({c.expr} AS BIGINT)), NULL)"


def _unpack(d: Dialect, kind: str, value: Any, count: int) -> Any:
    """One packed column of `count` values (NULL values are not in it), or None if it does not hold
    `count` values (a text value that held the separator)."""
    if kind == "text":
        pieces = str(value).split(_SEP) if count else []
        return pieces if len(pieces) == count else None
    dtype = np.int64 if kind == "int" else np.float64
    if not count:
        return np.zeros(0, dtype=dtype)
    if d.name == "sqlite":
        arr = np.fromstring(value, dtype=dtype, sep=",")
    else:
        arr = np.frombuffer(value, dtype=">i8" if kind == "int" else ">f8").astype(dtype)
    return arr if arr.size == count else None


def _read_rows(
    d: Dialect, cols: Sequence[Col], from_where: str, params: Sequence[Any]
) -> tuple[int, Columns]:
    rows = d.run(f"SELECT {', '.join(c.expr for c in cols)} {from_where}", params)
    out: Columns = {}
    for k, c in enumerate(cols):
        values = [r[k] if r[k] is not None else c.fill for r in rows]
        if c.kind == "text":
            out[c.name] = [str(v) for v in values]
        else:
            out[c.name] = np.asarray(values, dtype=np.int64 if c.kind == "int" else np.float64)
    return len(rows), out


def split_key(values: list[str], columns: Sequence[str]) -> dict[str, Codes] | None:
    """Per column, the codes of a combined key column (`Dialect.key`); None if a value held `_PART`."""
    index = {v: i for i, v in enumerate(dict.fromkeys(values))}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    parts = [k.split(_PART) for k in index]
    if any(len(p) != len(columns) for p in parts):
        return None
    out: dict[str, Codes] = {}
    for j, column in enumerate(columns):
        names: dict[str, int] = {}
        table = np.asarray(
            [-1 if not p[j] else names.setdefault(p[j][1:], len(names)) for p in parts] or [0],
            dtype=np.int64,
        )
        out[column] = Codes(table[codes] if codes.size else codes, tuple(names))
    return out


def string_columns(
    d: Dialect, columns: Sequence[str], from_where: str, params: Sequence[Any]
) -> dict[str, Codes]:
    """The rare fallback of a key that held `_PART`: the columns themselves, row by row."""
    rows = d.run(f"SELECT {', '.join(columns)} {from_where}", params)
    return {c: Codes.of(r[j] for r in rows) for j, c in enumerate(columns)}
