"""The KQL engine: duckdb-kql over an in-memory DuckDB, with the test-only prelude in front.

The query under test is never edited: the text run is the prelude, a newline, and the query
exactly as `kqlsmith render` printed it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb_kql
import duckdb_kql.engine


class EngineError(Exception):
    """The engine refused or failed to run a query; the message is the engine's own."""


@dataclass(frozen=True)
class Result:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def connect() -> Any:
    """A fresh in-memory database (duckdb-kql sets the session to UTC, as KQL is)."""
    return duckdb_kql.connect()


def version() -> str:
    import duckdb

    return f"duckdb-kql {duckdb_kql.__version__} on DuckDB {duckdb.__version__}"


def run(con: Any, prelude: str, query: str) -> Result:
    text = prelude.rstrip("\n") + "\n" + query
    try:
        # What duckdb_kql.kql() does, with the translation kept: every scenario of a
        # platform runs the same text over tables of the same columns.
        sql, parameters = _translate(text, _columns(con))
        con.execute("SET TimeZone='UTC'")
        relation = con.sql(sql, params=parameters) if parameters else con.sql(sql)
        names = tuple(relation.columns)
        types = [str(t) for t in relation.types]
        raw = relation.fetchall()
    except Exception as e:  # the engine's errors are many types; each is a finding to report
        raise EngineError(f"{type(e).__name__}: {e}") from None
    return Result(names, [tuple(_value(v, t) for v, t in zip(row, types)) for row in raw])


def _columns(con: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    schema = duckdb_kql.engine.schema(con)
    return tuple(sorted((table, tuple(columns)) for table, columns in schema.items()))


@lru_cache(maxsize=64)
def _translate(text: str, columns: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, Any]:
    translated = duckdb_kql.to_sql(text, schema={table: list(names) for table, names in columns})
    if translated.unbound:
        raise EngineError(f"query parameters without a value: {', '.join(translated.unbound)}")
    return str(translated), translated.parameters or None


def _value(value: Any, duckdb_type: str) -> Any:
    """A result value as plain Python: JSON parsed, strings never null (KQL has no null string)."""
    if duckdb_type == "JSON":
        return None if value is None else json.loads(value)
    if duckdb_type == "VARCHAR" and value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value
