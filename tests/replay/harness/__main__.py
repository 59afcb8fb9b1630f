"""Run every scenario x hunt profile x platform, the prelude's own cases, and the hunts on
synthetic tenants of growing size (scale.py; a table of their times and rows at the end).

Prints one line per test (`pass` or `FAIL`, with the differences under a failure) and closes
with `N passed, N failed`. Exit status: 0 all passed, 1 a test failed, 2 the run could not start.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import engine, jobs, prelude_cases, scale, scenarios, telemetry
from .clock import Clock
from .prelude import Prelude

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
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="how many to run at once")
    parser.add_argument(
        "--scale",
        choices=("fast", "large", "off"),
        help="synthetic tenants to run every internal-connections hunt, the detection and the published query on "
        "(default: fast, or off with --only); large runs only those, one at a time, for the figures",
    )
    args = parser.parse_args()
    started = time.monotonic()

    if not os.access(args.kqlsmith, os.X_OK):
        print(f"replay: {args.kqlsmith} is not an executable kqlsmith binary", file=sys.stderr)
        return 2
    clock = Clock()
    schemas = telemetry.load_schemas(HERE / "tables.toml")
    platforms = _platforms(args.root / "profiles" / "platforms", args.platform)
    kinds = _profile_kinds(args.root / "profiles" / "hunts")
    profiles = args.profile or sorted(kinds)
    if not profiles:
        print(f"replay: no hunt profiles in {args.root / 'profiles' / 'hunts'}", file=sys.stderr)
        return 2
    unknown = [name for name in platforms if name not in schemas]
    if unknown:
        print(f"replay: tables.toml has no tables for platform {', '.join(unknown)}", file=sys.stderr)
        return 2
    prelude = Prelude.load(HERE / "prelude.kql")
    print(f"replay: {engine.version()}; profiles {', '.join(profiles)}; platforms {', '.join(platforms)}")

    loaded, problems = [], []  # scenarios, and (label, problems) of files that cannot be used
    columns = telemetry.common_columns(schemas)
    # Scenarios sit in a folder named after the hunt kind they exercise (`[hunt] kind` of a
    # profile); each runs against the profiles of that kind.
    profiles_of = {}  # scenario id -> the profiles it runs against
    for path in sorted((HERE / "scenarios").glob("*/*.toml")):
        if args.only not in path.stem:
            continue
        kind = path.parent.name
        own = [p for p in profiles if kinds.get(p, kind) == kind]
        try:
            scenario = scenarios.load(path, columns, clock)
        except scenarios.ScenarioError as e:
            problems.append((path.stem, [str(e)]))
            continue
        strangers = sorted({p for c in scenario.cases for p in c.by_profile} - set(own))
        if strangers and not args.profile:
            problems.append((scenario.id, [f"[expect.{strangers[0]}]: no {kind} hunt profile has that name"]))
            continue
        if own:
            profiles_of[scenario.id] = own
            loaded.append(scenario)
    try:
        functions = prelude_cases.load(HERE / "prelude_cases.toml")
    except prelude_cases.CaseFileError as e:
        problems.append(("prelude cases", [str(e)]))
        functions = []

    # `--scale large` is for the figures: the tenants alone, one at a time.
    scale_mode = args.scale or ("off" if args.only else "fast")
    if scale_mode == "large":
        loaded, functions, problems = [], [], []

    # Render each query once; translate each text once (on both cores); then run the prelude's
    # cases and every scenario x platform, each on a database of its own.
    queries = {
        (profile, platform, case.sets): jobs.render_or_failure(
            args.kqlsmith.resolve(), profile, platform, case.sets
        )
        for scenario in loaded
        for case in scenario.cases
        for profile in profiles_of[scenario.id]
        for platform in platforms
    }
    tables = {
        platform: {t: [c for c, _ in cols] for t, cols in schemas[platform].items()} for platform in platforms
    }
    tally = Tally()
    tables_out: list[str] = []
    with ProcessPoolExecutor(max_workers=1 if scale_mode == "large" else max(1, args.jobs)) as pool:
        pending = [pool.submit(jobs.prelude_cases, prelude, cases) for cases in functions]
        texts = sorted({(q, key[1]) for key, q in queries.items() if not isinstance(q, jobs.Failure)})
        translated = dict(
            zip(
                texts,
                pool.map(
                    jobs.translate,
                    [prelude.for_query(q) for q, _ in texts],
                    [q for q, _ in texts],
                    [tables[platform] for _, platform in texts],
                ),
                strict=True,
            )
        )
        runnable = {
            key: q if isinstance(q, jobs.Failure) else translated[(q, key[1])] for key, q in queries.items()
        }
        pending += [
            pool.submit(
                jobs.scenario,
                scenario,
                platform,
                time_column,
                schemas[platform],
                profiles_of[scenario.id],
                runnable,
                clock.now,
            )
            for scenario in loaded
            for platform, time_column in platforms.items()
        ]
        tenants = []
        if scale_mode != "off":
            sizes = scale.LARGE if scale_mode == "large" else scale.FAST
            for platform, time_column in platforms.items():
                hunts = _scale_hunts(args, pool, prelude, platform, tables[platform], profiles)
                tenants += [
                    pool.submit(jobs.scale_run, size, platform, time_column, schemas[platform], hunts, clock.now)
                    for size in sizes
                ]
        for label, found in problems:
            tally.report(label, found)
        for future in pending:
            for label, found in future.result():
                tally.report(label, found)
        for future in tenants:
            outcomes, lines = future.result()
            for label, found in outcomes:
                tally.report(label, found)
            tables_out += lines

    if tables_out:
        print("\n".join(["", *scale.HEADER, *tables_out, ""]))
    print(f"replay: {time.monotonic() - started:.1f}s")
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


def _scale_hunts(args, pool, prelude: Prelude, platform: str, tables: dict, profiles: list[str]) -> list[scale.Hunt]:
    """The published query (from ../shared/seed, when it is there) and every
    internal-connections and detection profile, rendered and translated for *platform*."""
    texts = {}
    seed = args.root.parent / "shared" / "seed" / f"internal-connections.{platform}.kql"
    if seed.is_file():
        texts[scale.PUBLISHED] = seed.read_text(encoding="utf-8")
    else:
        print(f"replay: scale: no published query at {seed}; times are not compared with it")
    for profile in profiles:
        texts[profile] = jobs.render_or_failure(args.kqlsmith.resolve(), profile, platform, ())
    kinds = scale.hunts_of(args.root, texts)
    names = [name for name in texts if name in kinds and not isinstance(texts[name], jobs.Failure)]
    translated = dict(
        zip(
            names,
            pool.map(
                jobs.translate,
                [prelude.for_query(texts[n]) for n in names],
                [texts[n] for n in names],
                [tables for _ in names],
            ),
            strict=True,
        )
    )
    return [
        scale.Hunt(name, translated.get(name, text), *kinds[name])
        for name, text in texts.items()
        if name in kinds
    ]


def _profile_kinds(folder: Path) -> dict[str, str]:
    """hunt profile name -> its hunt kind (`[hunt] kind`), from profiles/hunts/*.toml."""
    kinds = {}
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        kinds[path.stem] = data.get("hunt", {}).get("kind", "")
    return kinds


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
