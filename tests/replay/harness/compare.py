"""Expected rows against returned rows: same rows, any order, lists compared as sets."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from .clock import Clock
from .engine import Result
from .scenarios import Expectation


def differences(expected: Expectation, result: Result, clock: Clock) -> list[str]:
    """Lines that say how *result* differs from *expected*; empty when they agree."""
    missing = [c for c in expected.columns if c not in result.columns]
    if missing:
        return [
            f"the query returns no column {', '.join(missing)} "
            f"(it returns {', '.join(result.columns) or 'nothing'})"
        ]
    index = [result.columns.index(c) for c in expected.columns]
    want = Counter(_row(expected.columns, row, clock) for row in expected.rows)
    got = Counter(_row(expected.columns, tuple(row[i] for i in index), clock) for row in result.rows)
    if want == got:
        return []
    lines = [
        f"expected {sum(want.values())} row(s), returned {sum(got.values())}; "
        "- expected but not returned, + returned but not expected:"
    ]
    lines += [f"- {row}" for row in sorted((want - got).elements())]
    lines += [f"+ {row}" for row in sorted((got - want).elements())]
    return lines


def _row(columns: tuple[str, ...], values: tuple[Any, ...], clock: Clock) -> str:
    return ", ".join(f"{c}={_canonical(v, clock)}" for c, v in zip(columns, values, strict=True))


def _canonical(value: Any, clock: Clock) -> str:
    return json.dumps(_plain(value, clock), sort_keys=True, separators=(",", ":"))


def _plain(value: Any, clock: Clock) -> Any:
    if Clock.is_relative(value):
        value = clock.at(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        # make_set and make_list define no order: a list is compared as a multiset.
        return sorted((_plain(v, clock) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {k: _plain(v, clock) for k, v in value.items()}
    return value
