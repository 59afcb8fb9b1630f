"""Scenario files: synthetic telemetry and the rows each hunt profile must return.

A scenario is one TOML file under `tests/replay/scenarios/<hunt kind>/`:

    title = "..."                  # one line
    description = "..."            # what the telemetry shows and what the hunt must do with it
    set = ["KEY=VALUE"]            # optional: `--set` options given to `kqlsmith render`

    [defaults.DeviceNetworkEvents] # optional: values every row of that table starts from
    [[DeviceNetworkEvents]]        # one row; `at` is its time relative to now, e.g. "-2h"
    [[DeviceNetworkInfo]]
    [[AlertInfo]]                  # alerts and their evidence, for detections
    [[AlertEvidence]]

    [expect]                       # the right answer: what every profile returns
    columns = ["RemoteIP", ...]    # the columns compared
    rows = [["10.0.0.20", ...]]    # exactly these rows, in any order
    [expect.PROFILE]               # a profile that answers otherwise, and why
    why = "..."
    rows = [...]                   # (`columns` may differ too)

    [[variant]]                    # optional: the same telemetry rendered with other options
    name = "..."
    set = ["KEY=VALUE"]
    [variant.expect] ...           # as [expect]

Lists inside a row (sets such as `ConnectedPorts`) compare in any order: KQL does not define
the order of `make_set`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .clock import Clock

TABLES = ("DeviceNetworkEvents", "DeviceNetworkInfo", "AlertInfo", "AlertEvidence")


class ScenarioError(Exception):
    """A scenario file that cannot be used, with the file and the field at fault."""


@dataclass(frozen=True)
class Expectation:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    why: str = ""


@dataclass(frozen=True)
class Case:
    """One rendering of a scenario: `--set` options and the expected rows per profile."""

    name: str
    sets: tuple[str, ...]
    expected: Expectation
    by_profile: dict[str, Expectation] = field(default_factory=dict)

    def expectation_for(self, profile: str) -> Expectation:
        return self.by_profile.get(profile, self.expected)


@dataclass(frozen=True)
class Scenario:
    id: str
    path: Path
    title: str
    description: str
    rows: dict[str, list[dict[str, Any]]]
    cases: list[Case]


def load_all(folder: Path, columns: dict[str, set[str]], clock: Clock) -> list[Scenario]:
    """Every `*.toml` under *folder*, sorted by name. *columns*: table -> columns every platform has."""
    return [load(path, columns, clock) for path in sorted(folder.glob("*.toml"))]


def load(path: Path, columns: dict[str, set[str]], clock: Clock) -> Scenario:
    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(f"{where}: cannot read: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{where}: not valid TOML: {e}") from None

    known = {"title", "description", "set", "defaults", "expect", "variant", *TABLES}
    _no_unknown(data, known, where)
    title = _text(data, "title", where)
    description = _text(data, "description", where)

    defaults = data.get("defaults", {})
    _table(defaults, "defaults", where)
    _no_unknown(defaults, set(TABLES), f"{where}: [defaults]")

    rows: dict[str, list[dict[str, Any]]] = {}
    for table in TABLES:
        base = defaults.get(table, {})
        _table(base, f"defaults.{table}", where)
        _check_columns(base, columns[table], f"{where}: [defaults.{table}]", allow_at=False)
        table_rows = data.get(table, [])
        if not isinstance(table_rows, list):
            raise ScenarioError(f"{where}: `{table}` must be a list of rows ([[{table}]])")
        rows[table] = []
        for i, row in enumerate(table_rows, 1):
            at = f"{where}: [[{table}]] row {i}"
            _table(row, f"{table} row {i}", where)
            merged = {**base, **row}
            _check_columns(merged, columns[table], at, allow_at=True)
            if "at" not in merged:
                raise ScenarioError(f'{at}: missing `at`, the row\'s time relative to now (e.g. "-2h")')
            try:
                clock.at(merged["at"])
            except ValueError as e:
                raise ScenarioError(f"{at}: `at`: {e}") from None
            rows[table].append(merged)

    cases = [_case("", data.get("set", []), data.get("expect"), where, clock)]
    variants = data.get("variant", [])
    if not isinstance(variants, list):
        raise ScenarioError(f"{where}: `variant` must be a list ([[variant]])")
    for i, variant in enumerate(variants, 1):
        at = f"{where}: [[variant]] {i}"
        _table(variant, f"variant {i}", where)
        _no_unknown(variant, {"name", "set", "expect"}, at)
        name = _text(variant, "name", at)
        cases.append(_case(name, variant.get("set", []), variant.get("expect"), at, clock))
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ScenarioError(f"{where}: two variants share a name")

    return Scenario(path.stem, path, title, description, rows, cases)


def _case(name: str, sets: Any, expect: Any, where: str, clock: Clock) -> Case:
    if not isinstance(sets, list) or not all(isinstance(s, str) and "=" in s for s in sets):
        raise ScenarioError(f'{where}: `set` must be a list of "KEY=VALUE" strings')
    if expect is None:
        raise ScenarioError(f"{where}: missing [expect]: the rows the hunt must return")
    _table(expect, "expect", where)
    base_keys = {"columns", "rows"}
    expected = _expectation(
        {k: v for k, v in expect.items() if k in base_keys}, None, f"{where}: [expect]", clock
    )
    by_profile = {}
    for profile, override in expect.items():
        if profile in base_keys:
            continue
        at = f"{where}: [expect.{profile}]"
        _table(override, f"expect.{profile}", where)
        _no_unknown(override, {"columns", "rows", "why"}, at)
        if not isinstance(override.get("why"), str) or not override["why"].strip():
            raise ScenarioError(f"{at}: missing `why`: say why this profile returns other rows")
        by_profile[profile] = _expectation(override, expected, at, clock)
    return Case(name, tuple(sets), expected, by_profile)


def _expectation(data: dict, base: Expectation | None, where: str, clock: Clock) -> Expectation:
    columns = data.get("columns", base.columns if base else None)
    if not isinstance(columns, list | tuple) or not columns or not all(isinstance(c, str) for c in columns):
        raise ScenarioError(f"{where}: `columns` must be a non-empty list of column names")
    if len(set(columns)) != len(columns):
        raise ScenarioError(f"{where}: `columns` names a column twice")
    rows = data.get("rows")
    if not isinstance(rows, list):
        raise ScenarioError(f"{where}: `rows` must be a list (write `rows = []` for none)")
    for i, row in enumerate(rows, 1):
        if not isinstance(row, list) or len(row) != len(columns):
            raise ScenarioError(
                f"{where}: row {i} must be a list of {len(columns)} values, one per column {list(columns)}"
            )
    return Expectation(tuple(columns), tuple(tuple(r) for r in rows), data.get("why", ""))


def _check_columns(row: dict, columns: set[str], where: str, allow_at: bool) -> None:
    for key in row:
        if key == "at" and allow_at:
            continue
        if key in ("Timestamp", "TimeGenerated"):
            raise ScenarioError(
                f'{where}: `{key}`: give the row\'s time as `at` (e.g. "-2h"); '
                "the harness sets each platform's time columns"
            )
        if key not in columns:
            raise ScenarioError(f"{where}: `{key}` is not a column of this table on every platform")


def _no_unknown(data: dict, known: set[str], where: str) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise ScenarioError(f"{where}: unknown key `{unknown[0]}` (known: {', '.join(sorted(known))})")


def _table(value: Any, name: str, where: str) -> None:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: `{name}` must be a table")


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(f"{where}: missing `{key}` (a non-empty string)")
    return value.strip()
