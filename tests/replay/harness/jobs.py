"""The units of work of a replay run, each run in a worker process: module-level functions and
plain data, so that they pickle whatever the start method."""

from __future__ import annotations

from pathlib import Path

from . import compare, engine, scale, telemetry
from . import prelude_cases as cases_module
from .clock import Clock
from .prelude import Prelude
from .render import RenderError, render

Outcomes = list[tuple[str, list[str]]]


class Failure(str):
    """Why a query could not be rendered or translated (in place of its translation)."""


def render_or_failure(kqlsmith: Path, profile: str, platform: str, sets: tuple[str, ...]) -> str | Failure:
    try:
        return render(kqlsmith, profile, platform, sets)
    except RenderError as e:
        return Failure(str(e))


def translate(prelude: str, query: str, tables: dict) -> engine.Translation | Failure:
    try:
        return engine.translate(prelude, query, tables)
    except engine.EngineError as e:
        return Failure(str(e))


def prelude_cases(prelude: Prelude, cases: list) -> Outcomes:
    return [
        (f"prelude  {o.case.label}", [o.problem] if o.problem else [])
        for o in cases_module.run(prelude, cases)
    ]


def scenario(scenario, platform, time_column, table_schemas, profiles, runnable, now) -> Outcomes:
    """One scenario on one platform: its tables, then every case x profile over them."""
    clock = Clock(now)
    con = engine.connect()
    try:
        telemetry.build(con, table_schemas, time_column, scenario.rows, clock)
    except ValueError as e:
        return [(f"{scenario.id}  {platform}", [f"{scenario.path.name}: {e}"])]
    outcomes = []
    for case in scenario.cases:
        name = f"{scenario.id}:{case.name}" if case.name else scenario.id
        for profile in profiles:
            label = f"{name:<44} {profile:<30} {platform}"
            query = runnable[(profile, platform, case.sets)]
            if isinstance(query, Failure):
                outcomes.append((label, [str(query)]))
                continue
            try:
                result = engine.execute(con, query)
            except engine.EngineError as e:
                outcomes.append((label, [str(e)]))
                continue
            outcomes.append((label, compare.differences(case.expectation_for(profile), result, clock)))
    return outcomes


def scale_run(size, platform, time_column, table_schemas, hunts, now) -> tuple[Outcomes, list[str]]:
    """One synthetic tenant on one platform: every hunt's rows checked, and its table lines."""
    counts, results = scale.measure(size, platform, time_column, table_schemas, hunts, now)
    outcomes = [
        (f"scale  {size.label:<36} {name:<30} {platform}", m.problems) for name, m in results.items()
    ]
    return outcomes, scale.table(size, platform, counts, results)
