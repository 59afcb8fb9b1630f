"""The prelude's own tests: each function against the values Microsoft documents for it.

A function's cases run as the rows of one datatable (`datatable(...) | extend r = f(a0, ...)`),
so the function is tested over columns, as the hunts call it, and translated once.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import engine
from .prelude import Prelude

#: Python type of a TOML argument -> KQL column type of the datatable.
_KQL_TYPE = {str: "string", int: "long", bool: "bool", float: "real", list: "dynamic"}


@dataclass(frozen=True)
class PreludeCase:
    function: str
    args: tuple[Any, ...]
    expect: Any  # None: the documented result is null
    note: str
    doc: str

    @property
    def label(self) -> str:
        call = f"{self.function}({', '.join(_kql(a) for a in self.args)})"
        return f"{call} == {_kql(self.expect)}"


@dataclass(frozen=True)
class Outcome:
    case: PreludeCase
    problem: str  # empty when the case passes


class CaseFileError(Exception):
    pass


def load(path: Path) -> list[list[PreludeCase]]:
    """The cases of each function, one list a function."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise CaseFileError(f"{path.name}: {e}") from None
    functions = []
    for i, raw in enumerate(data.get("function", []), 1):
        where = f"{path.name}: [[function]] {i}"
        if not isinstance(raw.get("name"), str) or not isinstance(raw.get("doc"), str):
            raise CaseFileError(f"{where}: needs `name` and `doc` (the page that documents it)")
        cases = []
        for j, case in enumerate(raw.get("cases", []), 1):
            at = f"{where} ({raw['name']}), case {j}"
            unknown = set(case) - {"args", "expect", "null", "note"}
            if unknown:
                raise CaseFileError(f"{at}: unknown key `{sorted(unknown)[0]}`")
            if not isinstance(case.get("args"), list) or not isinstance(case.get("note"), str):
                raise CaseFileError(f"{at}: needs `args` (a list) and `note`")
            if ("expect" in case) == bool(case.get("null")):
                raise CaseFileError(f"{at}: give either `expect` or `null = true`")
            cases.append(
                PreludeCase(raw["name"], tuple(case["args"]), case.get("expect"), case["note"], raw["doc"])
            )
        if not cases:
            raise CaseFileError(f"{where} ({raw['name']}): no cases")
        signature = {tuple(type(a) for a in c.args) for c in cases}
        if len(signature) != 1 or not all(t in _KQL_TYPE for t in next(iter(signature))):
            raise CaseFileError(f"{where} ({raw['name']}): every case must pass the same argument types")
        functions.append(cases)
    if not functions:
        raise CaseFileError(f"{path.name}: no [[function]]")
    return functions


def run(prelude: Prelude, cases: list[PreludeCase]) -> list[Outcome]:
    """One function's cases, as the rows of one datatable."""
    first = cases[0]
    arity = len(first.args)
    header = ", ".join(["i:long"] + [f"a{k}:{_KQL_TYPE[type(a)]}" for k, a in enumerate(first.args)])
    values = ", ".join(", ".join([str(i)] + [_kql(a) for a in c.args]) for i, c in enumerate(cases))
    call = f"{first.function}({', '.join(f'a{k}' for k in range(arity))})"
    query = f"datatable({header}) [{values}]\n| extend r = {call}\n| project i, r"
    try:
        rows = dict(engine.run(engine.connect(), prelude.for_query(query), query).rows)
    except engine.EngineError as e:
        return [Outcome(c, f"the engine cannot run it: {e}") for c in cases]
    return [Outcome(c, _judge(c, rows.get(i, "no row"))) for i, c in enumerate(cases)]


def _judge(case: PreludeCase, value: Any) -> str:
    if isinstance(case.expect, list) and isinstance(value, list):
        # A set: any order, but each value once.
        same = sorted(value, key=json.dumps) == sorted(case.expect, key=json.dumps)
    else:
        same = (
            (value is None)
            if case.expect is None
            else (type(value) is type(case.expect) and value == case.expect)
        )
    return "" if same else f"returned {_kql(value)} ({case.note}; {case.doc})"


def _kql(value: Any) -> str:
    """A value as a KQL literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return f"dynamic({json.dumps(value)})"
    return repr(value)
