"""Synthetic telemetry: a scenario's rows as one platform's tables in DuckDB.

The tables get exactly the platform's columns and types (tables.toml). What a scenario leaves
out is filled the way the platform would: a string column is empty, never null (KQL strings
cannot be null), other types are null; `DeviceId` and `ReportId` are derived so that rows look
like real ones; the time columns are the row's `at`.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from .clock import Clock

#: KQL column type -> DuckDB type, as duckdb-kql maps them back (duckdb_kql.types).
DUCKDB_TYPE = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "long": "BIGINT",
    "real": "DOUBLE",
    "bool": "BOOLEAN",
    "datetime": "TIMESTAMP",
    "dynamic": "JSON",
    "guid": "UUID",
    "timespan": "INTERVAL",
}

#: The workspace every Sentinel row belongs to.
TENANT_ID = "3f1c1d0e-5b7a-4c2e-9a41-7d2b8e6f0a11"


def load_schemas(path: Path) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """platform -> table -> [(column, KQL type)], in the order the platform lists them."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        platform: {table: list(columns.items()) for table, columns in tables.items()}
        for platform, tables in data.items()
    }


def common_columns(schemas: dict[str, dict[str, list[tuple[str, str]]]]) -> dict[str, set[str]]:
    """table -> the columns every platform has: a scenario may set only these."""
    tables: dict[str, set[str]] = {}
    for platform_tables in schemas.values():
        for table, columns in platform_tables.items():
            names = {name for name, _ in columns}
            tables[table] = tables[table] & names if table in tables else names
    return tables


def build(
    con: Any,
    table_schemas: dict[str, list[tuple[str, str]]],
    time_column: str,
    rows: dict[str, list[dict[str, Any]]],
    clock: Clock,
) -> None:
    """Create each table on *con* and insert the scenario's rows for this platform."""
    for table, columns in table_schemas.items():
        names = [name for name, _ in columns]
        ddl = ", ".join(f'"{name}" {DUCKDB_TYPE[kind]}' for name, kind in columns)
        con.execute(f'CREATE TABLE "{table}" ({ddl})')
        values = []
        for report_id, row in enumerate(rows.get(table, []), 1):
            try:
                values.append(
                    [_value(table, name, kind, row, report_id, time_column, clock) for name, kind in columns]
                )
            except ValueError as e:
                raise ValueError(f"[[{table}]] row {report_id}: {e}") from None
        if values:
            placeholders = ", ".join("?" for _ in names)
            con.executemany(f'INSERT INTO "{table}" VALUES ({placeholders})', values)


def _value(
    table: str, name: str, kind: str, row: dict[str, Any], report_id: int, time_column: str, clock: Clock
) -> Any:
    if name in (time_column, "Timestamp", "TimeGenerated"):
        # Sentinel's tables carry Defender's Timestamp beside TimeGenerated: both are the event's time.
        return clock.at(row["at"])
    if name in row:
        try:
            return _convert(row[name], kind, clock)
        except ValueError as e:
            raise ValueError(f"`{name}` ({kind}): {e}") from None
    if name == "DeviceId":
        return hashlib.sha1(str(row.get("DeviceName", "")).lower().encode()).hexdigest()
    if name == "ReportId":
        return report_id
    if name == "TenantId":
        return TENANT_ID
    if name == "Type":
        return table
    return "" if kind == "string" else None


def _convert(value: Any, kind: str, clock: Clock) -> Any:
    if kind in ("int", "long") and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"expected a whole number, found {value!r}")
    if kind == "real" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError(f"expected a number, found {value!r}")
    if kind == "bool" and not isinstance(value, bool):
        raise ValueError(f"expected true or false, found {value!r}")
    if kind == "string":
        # Defender keeps arrays such as IPAddresses as JSON text in a string column.
        return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    if kind == "dynamic":
        return json.dumps(value, separators=(",", ":"))
    if kind == "datetime":
        return clock.at(value)
    return value
