"""Scale runs: every internal-connections hunt profile, the detection, remote-logons and the
published query on synthetic tenants of growing size (tenant.py), with their rows checked against the
tenant's known answer and a table of time and intermediate rows per size.

Times are wall-clock seconds of one run on the replay engine (DuckDB, one query at a time);
the row counts come from DuckDB's profiler: rows read from the tables, rows out of the joins
and rows out of every operator. They show the engine's work, not Kusto's: the prelude's
functions (ipv4_is_private, ipv6_is_match) are KQL polyfills that cost far more than Kusto's
built-ins.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import compare, engine
from .clock import Clock
from .scenarios import Expectation
from .tenant import Size, Tenant

#: Sizes that run with every `tests/replay/run` (seconds on two cores).
FAST = (
    Size(devices=100, interval_minutes=60, connections=1_000),
    Size(devices=500, interval_minutes=30, connections=20_000),
)
#: Sizes run on demand (`tests/replay/run --scale large`): minutes, and gigabytes at the top.
LARGE = (
    Size(devices=500, interval_minutes=30, connections=20_000),
    Size(devices=1_000, interval_minutes=30, connections=20_000),
    Size(devices=2_000, interval_minutes=30, connections=20_000),
    Size(devices=5_000, interval_minutes=15, connections=20_000),
    Size(devices=500, interval_minutes=30, connections=100_000),
    Size(devices=500, interval_minutes=30, connections=1_000_000),
)
#: The query the hunts are measured against.
PUBLISHED = "published"
#: The known answers a tenant computes, by what a query asks (tenant.py).
NEAREST_BEFORE = "nearest-before"
ANY_IN_WINDOW = "any-in-window"
NEW_AFTER_ALERT = "new-after-alert"
REMOTE_LOGONS = "remote-logons"
#: The columns compared with the known answer (plus the time of the last connection where a
#: profile returns it).
COLUMNS = ("RemoteIP", "RemoteDeviceName", "ConnectedPorts")
#: The same for remote-logons: one row a target device and account, with how many logons.
LOGON_COLUMNS = ("TargetDeviceName", "AccountName", "LogonCount")


@dataclass(frozen=True)
class Hunt:
    """A query to run on the tenants and how its answer is computed."""

    name: str
    translation: Any  # engine.Translation, or a jobs.Failure
    answer: str  # NEAREST_BEFORE, ANY_IN_WINDOW, NEW_AFTER_ALERT or REMOTE_LOGONS
    window: dt.timedelta

    @property
    def compared(self) -> bool:
        """Whether it answers the published query's question (so its time is compared)."""
        return self.answer in (NEAREST_BEFORE, ANY_IN_WINDOW)


@dataclass(frozen=True)
class Measure:
    seconds: float
    scanned: int
    joined: int
    intermediate: int
    nested_loops: float  # seconds in the engine's nested-loop joins (see _rows)
    problems: list[str]
    compared: bool  # its time is compared with the published query's


def hunts_of(root: Path, queries: dict[str, Any]) -> dict[str, tuple[str, dt.timedelta]]:
    """profile name -> (its known answer, search window), for the internal-connections,
    detection and remote-logons profiles; the published query resolves as any-in-window."""
    found = {PUBLISHED: (ANY_IN_WINDOW, dt.timedelta(hours=48))}
    for path in sorted((root / "profiles" / "hunts").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        kind = data.get("hunt", {}).get("kind")
        if path.stem not in queries:
            continue
        window = _timespan(data["search"]["window"])
        if kind == "internal-connections":
            found[path.stem] = (data["remote_device"]["resolve"], window)
        elif kind == "internal-connections-detection":
            found[path.stem] = (NEW_AFTER_ALERT, window)
        elif kind == "remote-logons":
            found[path.stem] = (REMOTE_LOGONS, window)
    return found


def measure(
    size: Size,
    platform: str,
    time_column: str,
    table_schemas: dict[str, list[tuple[str, str]]],
    hunts: list[Hunt],
    now: dt.datetime,
) -> tuple[dict[str, int], dict[str, Measure]]:
    """Build one tenant and run every hunt on it: the tables' sizes and each hunt's measure."""
    tenant = Tenant(size, now)
    con = engine.connect()
    counts = tenant.build(con, table_schemas, time_column)
    clock = Clock(now)
    answers = {}
    results = {}
    with tempfile.TemporaryDirectory(prefix="kqlsmith-scale-") as folder:
        profile = os.path.join(folder, "profile.json")
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"PRAGMA profiling_output = '{profile}'")
        for hunt in hunts:
            if isinstance(hunt.translation, str):  # a Failure: cannot be rendered or translated
                results[hunt.name] = Measure(0.0, 0, 0, 0, 0.0, [str(hunt.translation)], hunt.compared)
                continue
            if hunt.compared and hunt.window < dt.timedelta(hours=47):
                results[hunt.name] = Measure(
                    0.0, 0, 0, 0, 0.0, ["search window under 47h: the tenant has no answer for it"], hunt.compared
                )
                continue
            started = time.perf_counter()
            try:
                result = engine.execute(con, hunt.translation)
            except engine.EngineError as e:
                results[hunt.name] = Measure(time.perf_counter() - started, 0, 0, 0, 0.0, [str(e)], hunt.compared)
                continue
            seconds = time.perf_counter() - started
            scanned, joined, intermediate, nested_loops = _rows(profile)
            key = (hunt.answer, hunt.window)
            if key not in answers:
                answers[key] = _answer(tenant, hunt)
            problems = compare.differences(_expectation(hunt, answers[key], result, time_column), result, clock)
            results[hunt.name] = Measure(seconds, scanned, joined, intermediate, nested_loops, problems, hunt.compared)
    con.close()
    return counts, results


def _answer(tenant: Tenant, hunt: Hunt) -> list[tuple[Any, ...]]:
    """The tenant's rows for *hunt*, the time of the last connection or logon last."""
    if hunt.answer == REMOTE_LOGONS:
        return tenant.remote_logons()
    if hunt.answer == NEAREST_BEFORE:
        return tenant.nearest_before()
    if hunt.answer == NEW_AFTER_ALERT:
        return tenant.new_after_alert()
    return tenant.any_in_window(hunt.window)


def _expectation(hunt: Hunt, rows: list[tuple[Any, ...]], result: engine.Result, time_column: str) -> Expectation:
    columns = LOGON_COLUMNS if hunt.answer == REMOTE_LOGONS else COLUMNS
    if time_column in result.columns:
        return Expectation(columns + (time_column,), tuple(rows))
    return Expectation(columns, tuple(row[:-1] for row in rows))


def _rows(path: str) -> tuple[int, int, int, float]:
    """Rows read from tables, rows out of joins, rows out of every operator and the seconds
    spent in nested-loop joins, from DuckDB's profile of the last query.

    The engine runs two things as nested loops that Kusto does not: `has_any` against a
    subquery (every row against every term, each a lower-cased substring test, where Kusto
    searches each value once for all the terms) and the prelude's `parse_ipv6` (a correlated
    subquery, where Kusto has a built-in)."""
    with open(path, encoding="utf-8") as f:
        tree = json.load(f)
    scanned = joined = everything = 0
    nested = 0.0
    pending = list(tree.get("children", [])) + list(tree.get("operator", []))
    while pending:
        node = pending.pop()
        rows = int(node.get("operator_cardinality", node.get("intermediate_rows", 0)) or 0)
        kind = str(node.get("operator_type", node.get("type", "")))
        everything += rows
        if "NL_JOIN" in kind or "NESTED_LOOP" in kind:
            nested += float(node.get("operator_timing", node.get("timing", 0)) or 0)
        if kind == "TABLE_SCAN":
            scanned += rows
        elif "JOIN" in kind:
            joined += rows
        pending += node.get("children", [])
    return scanned, joined, everything, nested


def table(size: Size, platform: str, counts: dict[str, int], results: dict[str, Measure]) -> list[str]:
    """Markdown rows for one tenant: one a query, with the ratio of its time to the published query's."""
    base = results.get(PUBLISHED)
    lines = []
    for name, m in results.items():
        ratio = f"{m.seconds / base.seconds:.1f}x" if m.compared and base and base.seconds and m.seconds else "-"
        status = "right" if not m.problems else "WRONG"
        lines.append(
            f"| {size.devices:,} | {size.interval_minutes}m | {counts['DeviceNetworkInfo']:,} "
            f"| {size.connections:,} | {platform} | {name} | {status} | {m.seconds:.2f} | {ratio} "
            f"| {m.nested_loops:.2f} | {m.scanned:,} | {m.joined:,} | {m.intermediate:,} |"
        )
    return lines


HEADER = [
    "| devices | reports every | DeviceNetworkInfo rows | connections | platform | query | rows "
    "| seconds | vs published | in nested loops | rows read | join rows | operator rows |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
]


def _timespan(text: str) -> dt.timedelta:
    units = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
    return dt.timedelta(**{units[text[-1]]: int(text[:-1])})
