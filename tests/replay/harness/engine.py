"""The KQL engine: duckdb-kql over an in-memory DuckDB, with the test-only prelude in front.

The query under test is never edited: the text run is the prelude, a newline, and the query
exactly as `kqlsmith render` printed it. Translating is most of the cost, and a query's SQL
depends only on its text and the tables' columns, so it is translated once and run on the
database of every scenario.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Translation:
    """A query as DuckDB SQL, ready to run on any database with the same tables."""

    sql: str
    parameters: Any


def translate(prelude: str, query: str, tables: dict[str, list[str]]) -> Translation:
    """The prelude and the query, as one KQL text, in SQL. *tables*: table -> its columns."""
    text = prelude.rstrip("\n") + "\n" + query
    try:
        translated = duckdb_kql.to_sql(text, schema=tables)
    except Exception as e:  # the engine's errors are many types; each is a finding to report
        raise EngineError(f"{type(e).__name__}: {e}") from None
    if translated.unbound:
        raise EngineError(f"query parameters without a value: {', '.join(translated.unbound)}")
    return Translation(str(translated), translated.parameters or None)


def execute(con: Any, translation: Translation) -> Result:
    """Run a translated query, as duckdb_kql.kql() does once it has translated."""
    try:
        con.execute("SET TimeZone='UTC'")
        sql, parameters = translation.sql, translation.parameters
        relation = con.sql(sql, params=parameters) if parameters else con.sql(sql)
        names = tuple(relation.columns)
        types = [str(t) for t in relation.types]
        raw = relation.fetchall()
    except Exception as e:  # as above
        raise EngineError(f"{type(e).__name__}: {e}") from None
    return Result(names, [tuple(_value(v, t) for v, t in zip(row, types, strict=True)) for row in raw])


def run(con: Any, prelude: str, query: str) -> Result:
    """Translate against *con*'s tables and run."""
    tables = {t: list(c) for t, c in duckdb_kql.engine.schema(con).items()}
    return execute(con, translate(prelude, query, tables))


def _value(value: Any, duckdb_type: str) -> Any:
    """A result value as plain Python: JSON parsed, strings never null (KQL has no null string)."""
    if duckdb_type == "JSON":
        return None if value is None else json.loads(value)
    if duckdb_type == "VARCHAR" and value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value
