"""Replay tests: run the exact text `kqlsmith render` prints on a real KQL engine.

The engine is duckdb-kql, which translates KQL to DuckDB SQL and runs it. Each scenario under
`tests/replay/scenarios/` builds synthetic `DeviceNetworkEvents` and `DeviceNetworkInfo` rows
and says which rows each hunt profile must return; the harness renders every profile for every
platform, runs it over the platform's tables and compares the rows.
"""
