"""Run every scenario x hunt profile x platform, and the prelude's own cases.

Prints one line per test (`pass` or `FAIL`, with the differences under a failure) and closes
with `N passed, N failed`. Exit status: 0 all passed, 1 a test failed, 2 the run could not start.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tomllib
from pathlib import Path

from . import compare, engine, prelude_cases, scenarios, telemetry
from .clock import Clock
from .render import RenderError, render

HERE = Path(__file__).resolve().parent.parent


class Tally:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def report(self, label: str, problems: list[str]) -> None:
        if problems:
            self.failed += 1
            print(f"FAIL  {label}")
            for line in problems:
                for part in line.splitlines():
                    print(f"        {part}")
        else:
            self.passed += 1
            print(f"pass  {label}")
        sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(prog="tests/replay/run", description=__doc__)
    parser.add_argument("--kqlsmith", type=Path, required=True, help="the kqlsmith binary")
    parser.add_argument("--root", type=Path, default=HERE.parent.parent, help="the workspace root")
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this")
    parser.add_argument("--profile", action="append", default=[], help="only this hunt profile (repeatable)")
    parser.add_argument("--platform", action="append", default=[], help="only this platform (repeatable)")
    args = parser.parse_args()
    started = time.monotonic()

    if not os.access(args.kqlsmith, os.X_OK):
        print(f"replay: {args.kqlsmith} is not an executable kqlsmith binary", file=sys.stderr)
        return 2
    clock = Clock()
    schemas = telemetry.load_schemas(HERE / "tables.toml")
    platforms = _platforms(args.root / "profiles" / "platforms", args.platform)
    profiles = args.profile or sorted(p.stem for p in (args.root / "profiles" / "hunts").glob("*.toml"))
    if not profiles:
        print(f"replay: no hunt profiles in {args.root / 'profiles' / 'hunts'}", file=sys.stderr)
        return 2
    unknown = [name for name in platforms if name not in schemas]
    if unknown:
        print(f"replay: tables.toml has no tables for platform {', '.join(unknown)}", file=sys.stderr)
        return 2
    prelude = (HERE / "prelude.kql").read_text(encoding="utf-8")
    print(f"replay: {engine.version()}; profiles {', '.join(profiles)}; platforms {', '.join(platforms)}")

    tally = Tally()
    try:
        functions = prelude_cases.load(HERE / "prelude_cases.toml")
    except prelude_cases.CaseFileError as e:
        tally.report("prelude cases", [str(e)])
        functions = []
    for cases in functions:
        for outcome in prelude_cases.run(prelude, cases):
            tally.report(f"prelude  {outcome.case.label}", [outcome.problem] if outcome.problem else [])

    columns = telemetry.common_columns(schemas)
    for path in sorted((HERE / "scenarios").glob("*.toml")):
        if args.only not in path.stem:
            continue
        try:
            scenario = scenarios.load(path, columns, clock)
        except scenarios.ScenarioError as e:
            tally.report(path.stem, [str(e)])
            continue
        strangers = sorted({p for c in scenario.cases for p in c.by_profile} - set(profiles))
        if strangers and not args.profile:
            tally.report(scenario.id, [f"[expect.{strangers[0]}]: no hunt profile has that name"])
            continue
        _run_scenario(scenario, profiles, platforms, schemas, prelude, args.kqlsmith, clock, tally)

    print(f"replay: {time.monotonic() - started:.1f}s")
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


def _run_scenario(scenario, profiles, platforms, schemas, prelude, kqlsmith, clock, tally) -> None:
    for platform, time_column in platforms.items():
        con = engine.connect()
        try:
            telemetry.build(con, schemas[platform], time_column, scenario.rows, clock)
        except ValueError as e:
            tally.report(f"{scenario.id}  {platform}", [f"{scenario.path.name}: {e}"])
            continue
        for case in scenario.cases:
            name = f"{scenario.id}:{case.name}" if case.name else scenario.id
            for profile in profiles:
                label = f"{name:<44} {profile:<30} {platform}"
                try:
                    query = render(kqlsmith, profile, platform, case.sets)
                    result = engine.run(con, prelude, query)
                except (RenderError, engine.EngineError) as e:
                    tally.report(label, [str(e)])
                    continue
                tally.report(label, compare.differences(case.expectation_for(profile), result, clock))


def _platforms(folder: Path, only: list[str]) -> dict[str, str]:
    """platform name -> its time column, from profiles/platforms/*.toml."""
    found = {}
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if not only or data["name"] in only:
            found[data["name"]] = data["time_column"]
    return found


if __name__ == "__main__":
    sys.exit(main())
