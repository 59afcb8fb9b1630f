"""Synthetic tenants for the scale runs: many devices reporting their addresses, one compromised
device connecting to some of them, and the rows each way of naming the remote device must give.

The tables are built inside DuckDB from integer formulas (fast enough for millions of rows);
the known answer is computed here from the same formulas, independently of any query:

- device `d` (`dev-00000.contoso.local` ...) reports one adapter every `interval` minutes for
  `hours` hours, at its own phase: its IPv4 address and a link-local IPv6 one (fe80::), as
  Defender writes `IPAddresses`;
- a fraction `dhcp` of the connected addresses are swapped by DHCP with a device that is not
  connected to, at a time inside the search window: the address names one device before and
  the other after;
- the compromised device makes `connections` connections to `targets` addresses, at distinct
  times (milliseconds) spread over the search window; every other device makes
  `background` connections of its own (rows the hunts must leave out by device name);
- one high-severity alert names the compromised device (`AlertInfo`, `AlertEvidence`) at
  `ALERT_AGO`, for the detection: its connections before the alert are its baseline, so a
  device is new when every connection that reached it came after the alert (the devices that
  took a connected address by DHCP after the alert), and every port is an administration port;
- for remote-logons, the devices connected to record `logons` logons from the compromised
  device's address (`DeviceLogonEvents`; a third of them interactive, which the hunt leaves out,
  and every fifth by LocalSystem, which it leaves out too), the domain controllers a tenth as many
  (`IdentityLogonEvents`), and every other device `background` logons from other addresses.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from .telemetry import DUCKDB_TYPE, TENANT_ID

COMPROMISED = "compromiseddevice"
COMPROMISED_ADDRESS = "10.200.0.1"
PORTS = (445, 3389, 5985, 135, 22)
#: Connections fall in (now - 46h, now - 30m]: inside a 48h window whenever the query runs.
CONNECTIONS_FROM = dt.timedelta(hours=46)
CONNECTIONS_TO = dt.timedelta(minutes=30)
#: DHCP hands addresses on in (now - 40h, now - 8h]: both holders report inside the window.
SWAPS_FROM = dt.timedelta(hours=40)
SWAPS_TO = dt.timedelta(hours=8)
#: The alert on the compromised device: inside the detection's one-day window, with connections
#: (its baseline) before it and DHCP hand-overs on both sides of it.
ALERT_AGO = dt.timedelta(hours=20)
ALERT_ID = "da00000000000000001"
ALERT_TITLE = "Suspicious PowerShell command line"
#: Remote logons: the accounts (name, SID), the logon types in turn, and the SID of LocalSystem.
ACCOUNTS = (("admin0", "S-1-5-21-1004336348-1177238915-682003330-1000"),
            ("admin1", "S-1-5-21-1004336348-1177238915-682003330-1001"),
            ("admin2", "S-1-5-21-1004336348-1177238915-682003330-1002"))
LOGON_TYPES = ("Network", "RemoteInteractive", "Interactive")
LOCAL_SYSTEM = "S-1-5-18"
#: Multipliers that spread rows over time (coprime with the spans they are taken modulo).
TIME_STEP = 7_919_993
PHASE_STEP = 7_919


@dataclass(frozen=True)
class Size:
    """One tenant: how many devices, how often they report, how many connections."""

    devices: int
    interval_minutes: int
    connections: int
    targets: int = 100
    dhcp: float = 0.1
    hours: int = 72
    background: int = 10  # connections each other device makes

    @property
    def label(self) -> str:
        return f"{self.devices} dev, {self.interval_minutes}m, {self.connections:,} conn"

    @property
    def logons(self) -> int:
        """Logons from the compromised device that the devices connected to record."""
        return self.connections // 10

    @property
    def connected(self) -> int:
        return min(self.targets, self.devices // 2)

    @property
    def swapped(self) -> int:
        return round(self.connected * self.dhcp)


def address(device: int) -> str:
    return f"10.{1 + device // 62_500}.{(device // 250) % 250}.{device % 250 + 1}"


def device_name(device: int) -> str:
    return f"dev-{device:05d}.contoso.local"


def device_id(name: str) -> str:
    return hashlib.sha1(name.lower().encode()).hexdigest()


@dataclass(frozen=True)
class Device:
    name: str
    before: str  # its address until `swap_at`
    after: str  # its address from `swap_at` on
    swap_at: dt.datetime | None
    phase_seconds: int


class Tenant:
    """The devices and connections of one size, with `now` as the clock of the run."""

    def __init__(self, size: Size, now: dt.datetime) -> None:
        self.size = size
        self.now = now
        self.start = now - dt.timedelta(hours=size.hours) + dt.timedelta(minutes=1)
        interval = size.interval_minutes * 60
        devices = [
            Device(device_name(d), address(d), address(d), None, (d * PHASE_STEP) % interval)
            for d in range(size.devices)
        ]
        # Target i is device i; swapped targets trade addresses with a device past the targets.
        swap_span = int((SWAPS_FROM - SWAPS_TO).total_seconds())
        for i in range(size.swapped):
            partner = size.connected + i
            at = now - SWAPS_FROM + dt.timedelta(seconds=(i * TIME_STEP) % swap_span + 1)
            a, b = devices[i], devices[partner]
            devices[i] = Device(a.name, a.before, b.before, at, a.phase_seconds)
            devices[partner] = Device(b.name, b.before, a.before, at, b.phase_seconds)
        devices.append(Device(COMPROMISED, COMPROMISED_ADDRESS, COMPROMISED_ADDRESS, None, 0))
        self.devices = devices

    # -- the tables ---------------------------------------------------------------------

    def build(self, con: Any, table_schemas: dict[str, list[tuple[str, str]]], time_column: str) -> dict[str, int]:
        """Create DeviceNetworkInfo and DeviceNetworkEvents on *con*; returns their row counts."""
        con.execute(
            "CREATE TEMP TABLE scale_devices (n INTEGER, name VARCHAR, id VARCHAR, before VARCHAR, "
            "after VARCHAR, swap_at TIMESTAMP, phase INTEGER)"
        )
        con.executemany(
            "INSERT INTO scale_devices VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (n, d.name, device_id(d.name), d.before, d.after, d.swap_at, d.phase_seconds)
                for n, d in enumerate(self.devices)
            ],
        )
        size = self.size
        interval = size.interval_minutes * 60
        reports = (size.hours * 3600) // interval + 1
        start = _sql_time(self.start)
        now = _sql_time(self.now)
        # Each report's time first, then the address the device had at that time.
        timed = (
            f"SELECT d.*, {start} + to_seconds(d.phase + k.range * {interval}) AS t "
            f"FROM scale_devices d, range({reports}) k"
        )
        held = "CASE WHEN r.swap_at IS NOT NULL AND r.t >= r.swap_at THEN r.after ELSE r.before END"
        info = {
            "DeviceName": "r.name",
            "DeviceId": "r.id",
            "NetworkAdapterName": "'Ethernet'",
            "NetworkAdapterType": "'Ethernet'",
            "NetworkAdapterStatus": "'Up'",
            "IPAddresses": (
                f"""'[{{"IPAddress":"' || ({held}) || '","SubnetPrefix":24,"AddressType":"Private"}},"""
                f"""{{"IPAddress":"fe80::' || printf('%x', r.n + 1) || '","SubnetPrefix":64,"""
                f""""AddressType":"LinkLocal"}}]'"""
            ),
        }
        counts = {}
        counts["DeviceNetworkInfo"] = _insert(
            con, "DeviceNetworkInfo", table_schemas, time_column, "r.t", info,
            f"FROM ({timed}) r WHERE r.t < {now}",
        )
        span_ms = int((CONNECTIONS_FROM - CONNECTIONS_TO).total_seconds() * 1000)
        first = _sql_time(self.now - CONNECTIONS_FROM)
        targets = ", ".join(f"'{address(i)}'" for i in range(size.connected))
        ports = ", ".join(str(p) for p in PORTS)
        events = {
            "DeviceName": f"'{COMPROMISED}'",
            "DeviceId": f"'{device_id(COMPROMISED)}'",
            "ActionType": "'ConnectionSuccess'",
            "RemoteIP": f"([{targets}])[(j.range % {size.connected}) + 1]",
            "RemotePort": f"([{ports}])[{_port_index('j.range', size)} + 1]",
            "LocalIP": f"'{COMPROMISED_ADDRESS}'",
            "Protocol": "'Tcp'",
            "LocalIPType": "'Private'",
            "RemoteIPType": "'Private'",
            "InitiatingProcessFileName": "'powershell.exe'",
            "InitiatingProcessAccountDomain": "'contoso'",
            "InitiatingProcessAccountName": "'alice'",
            "InitiatingProcessAccountSid": "'S-1-5-21-3623811015-3361044348-30300820-1104'",
            "InitiatingProcessAccountUpn": "'alice@contoso.com'",
            "ReportId": "j.range + 1",
        }
        counts["DeviceNetworkEvents"] = _insert(
            con, "DeviceNetworkEvents", table_schemas, time_column,
            f"{first} + to_milliseconds((j.range * {TIME_STEP}) % {span_ms} + 1)", events,
            f"FROM range({size.connections}) j",
        )
        # Every other device's own connections: the tenant's size, none of the answer.
        others = size.devices
        background = {
            "DeviceName": "d.name",
            "DeviceId": "d.id",
            "ActionType": "'ConnectionSuccess'",
            "RemoteIP": f"'10.1.' || ((j.range * 7) % 250) || '.' || (j.range % 250 + 1)",
            "RemotePort": "445",
            "LocalIP": "d.before",
            "Protocol": "'Tcp'",
            "LocalIPType": "'Private'",
            "RemoteIPType": "'Private'",
            "InitiatingProcessFileName": "'svchost.exe'",
            "ReportId": f"{size.connections} + j.range * {others} + d.n + 1",
        }
        counts["DeviceNetworkEvents"] += _insert(
            con, "DeviceNetworkEvents", table_schemas, time_column,
            f"{first} + to_milliseconds((j.range * {TIME_STEP} + d.n * {PHASE_STEP}) % {span_ms} + 1)",
            background,
            f"FROM scale_devices d, range({size.background}) j WHERE d.n < {others}",
        )
        if "DeviceLogonEvents" in table_schemas:
            counts.update(self._build_logons(con, table_schemas, time_column))
        alert_at = _sql_time(self.now - ALERT_AGO)
        alert = {"AlertId": f"'{ALERT_ID}'", "Title": f"'{ALERT_TITLE}'", "Severity": "'High'"}
        if "AlertInfo" in table_schemas:
            counts["AlertInfo"] = _insert(
                con, "AlertInfo", table_schemas, time_column, alert_at,
                {**alert, "Category": "'Execution'", "ServiceSource": "'Microsoft Defender for Endpoint'"}, "",
            )
        if "AlertEvidence" in table_schemas:
            counts["AlertEvidence"] = _insert(
                con, "AlertEvidence", table_schemas, time_column, alert_at,
                {
                    **alert,
                    "EntityType": "'Machine'",
                    "EvidenceRole": "'Impacted'",
                    "DeviceName": f"'{COMPROMISED}'",
                    "DeviceId": f"'{device_id(COMPROMISED)}'",
                },
                "",
            )
        return counts

    def _build_logons(self, con: Any, table_schemas: dict[str, list[tuple[str, str]]], time_column: str) -> dict[str, int]:
        """DeviceLogonEvents and IdentityLogonEvents (see the module's header)."""
        size = self.size
        span_ms = int((CONNECTIONS_FROM - CONNECTIONS_TO).total_seconds() * 1000)
        first = _sql_time(self.now - CONNECTIONS_FROM)
        names = ", ".join(f"'{device_name(i)}'" for i in range(size.connected))
        ids = ", ".join(f"'{device_id(device_name(i))}'" for i in range(size.connected))
        accounts = ", ".join(f"'{name}'" for name, _ in ACCOUNTS)
        sids = ", ".join(f"'{sid}'" for _, sid in ACCOUNTS)
        types = ", ".join(f"'{t}'" for t in LOGON_TYPES)
        target = f"(j.range % {size.connected}) + 1"
        account = f"((j.range // {size.connected}) % {len(ACCOUNTS)}) + 1"
        time = f"{first} + to_milliseconds((j.range * {TIME_STEP}) % {span_ms} + 1)"
        counts = {}
        counts["DeviceLogonEvents"] = _insert(
            con, "DeviceLogonEvents", table_schemas, time_column, time,
            {
                "DeviceName": f"([{names}])[{target}]",
                "DeviceId": f"([{ids}])[{target}]",
                "ActionType": "'LogonSuccess'",
                "LogonType": f"([{types}])[(j.range % {len(LOGON_TYPES)}) + 1]",
                "AccountDomain": "'contoso'",
                "AccountName": f"([{accounts}])[{account}]",
                "AccountSid": f"CASE WHEN j.range % 5 = 0 THEN '{LOCAL_SYSTEM}' ELSE ([{sids}])[{account}] END",
                "Protocol": "'Negotiate'",
                "RemoteIP": f"'{COMPROMISED_ADDRESS}'",
                "RemoteIPType": "'Private'",
                "ReportId": "j.range + 1",
            },
            f"FROM range({size.logons}) j",
        )
        counts["DeviceLogonEvents"] += _insert(
            con, "DeviceLogonEvents", table_schemas, time_column,
            f"{first} + to_milliseconds((j.range * {TIME_STEP} + d.n * {PHASE_STEP}) % {span_ms} + 1)",
            {
                "DeviceName": "d.name",
                "DeviceId": "d.id",
                "ActionType": "'LogonSuccess'",
                "LogonType": "'Network'",
                "AccountDomain": "'contoso'",
                "AccountName": "'svc-backup'",
                "AccountSid": "'S-1-5-21-1004336348-1177238915-682003330-2000'",
                "Protocol": "'Negotiate'",
                "RemoteIP": "'10.1.' || ((j.range * 7) % 250) || '.' || (j.range % 250 + 1)",
                "RemoteIPType": "'Private'",
                "ReportId": f"{size.logons} + j.range * {size.devices} + d.n + 1",
            },
            f"FROM scale_devices d, range({size.background}) j WHERE d.n < {size.devices}",
        )
        counts["IdentityLogonEvents"] = _insert(
            con, "IdentityLogonEvents", table_schemas, time_column, time,
            {
                "ActionType": "'LogonSuccess'",
                "LogonType": "'Resource access'",
                "Protocol": "'Kerberos'",
                "AccountDomain": "'contoso'",
                "AccountName": f"([{accounts}])[{account}]",
                "AccountSid": f"([{sids}])[{account}]",
                "DeviceName": f"'{COMPROMISED}'",
                "IPAddress": f"'{COMPROMISED_ADDRESS}'",
                "DestinationDeviceName": f"([{names}])[{target}]",
                "ReportId": "'identity-' || (j.range + 1)",
            },
            f"FROM range({size.logons // 10}) j",
        )
        return counts

    # -- the known answer ---------------------------------------------------------------

    def connection_times(self) -> list[tuple[dt.datetime, str, int]]:
        """(time, remote address, port) of every connection of the compromised device."""
        size = self.size
        span_ms = int((CONNECTIONS_FROM - CONNECTIONS_TO).total_seconds() * 1000)
        first = self.now - CONNECTIONS_FROM
        return [
            (
                first + dt.timedelta(milliseconds=(j * TIME_STEP) % span_ms + 1),
                address(j % size.connected),
                PORTS[_port_index_py(j, size)],
            )
            for j in range(size.connections)
        ]

    def reports_of(self, ip: str) -> list[tuple[dt.datetime, str]]:
        """(time, device) of every report of *ip*, by time."""
        interval = self.size.interval_minutes * 60
        found = []
        for d in self.devices:
            if ip not in (d.before, d.after):
                continue
            t = self.start + dt.timedelta(seconds=d.phase_seconds)
            step = dt.timedelta(seconds=interval)
            while t < self.now:
                held = d.after if d.swap_at is not None and t >= d.swap_at else d.before
                if held == ip:
                    found.append((t, d.name))
                t += step
        return sorted(found)

    def named_connections(self) -> list[tuple[dt.datetime, str, int, str]]:
        """(time, remote address, port, remote device) of every connection of the compromised
        device, the device being the one that reported the address last before the connection
        (or first after it when none did before)."""
        reports = {ip: self.reports_of(ip) for ip in {address(i) for i in range(self.size.connected)}}
        times = {ip: [t for t, _ in r] for ip, r in reports.items()}
        named = []
        for t, ip, port in self.connection_times():
            i = bisect.bisect_right(times[ip], t)
            named.append((t, ip, port, reports[ip][i - 1][1] if i else reports[ip][0][1]))
        return named

    def nearest_before(self) -> list[tuple[str, str, list[int], dt.datetime]]:
        """Rows of `resolve = nearest-before`: (address, device, ports, last connection), one
        a remote address and the device named for its connections."""
        found: dict[tuple[str, str], tuple[set[int], dt.datetime]] = {}
        for t, ip, port, holder in self.named_connections():
            ports, last = found.get((ip, holder), (set(), t))
            ports.add(port)
            found[(ip, holder)] = (ports, max(last, t))
        return [(ip, holder, sorted(p), last) for (ip, holder), (p, last) in found.items()]

    def new_after_alert(self) -> list[tuple[str, str, list[int], dt.datetime]]:
        """Rows of the detection: (address of the last connection, device, ports, last
        connection) for each remote device that the compromised device reached only after its
        alert; a connection before the alert (its baseline reaches back past every connection)
        makes the device known."""
        alert = self.now - ALERT_AGO
        by_device: dict[str, list[tuple[dt.datetime, str, int]]] = {}
        for t, ip, port, holder in self.named_connections():
            by_device.setdefault(holder, []).append((t, ip, port))
        rows = []
        for holder, connections in by_device.items():
            if any(t < alert for t, _, _ in connections):
                continue
            last, ip, _ = max(connections)
            rows.append((ip, holder, sorted({port for _, _, port in connections}), last))
        return rows

    def remote_logons(self) -> list[tuple[str, str, int, dt.datetime]]:
        """Rows of remote-logons: (target device, account, logons, last logon), one a target
        device and account; interactive logons and LocalSystem's are left out."""
        size = self.size
        span_ms = int((CONNECTIONS_FROM - CONNECTIONS_TO).total_seconds() * 1000)
        first = self.now - CONNECTIONS_FROM
        found: dict[tuple[str, str], tuple[int, dt.datetime]] = {}

        def count(j: int, kept: bool) -> None:
            if not kept:
                return
            key = (device_name(j % size.connected), ACCOUNTS[(j // size.connected) % len(ACCOUNTS)][0])
            t = first + dt.timedelta(milliseconds=(j * TIME_STEP) % span_ms + 1)
            n, last = found.get(key, (0, t))
            found[key] = (n + 1, max(last, t))

        for j in range(size.logons):
            count(j, LOGON_TYPES[j % len(LOGON_TYPES)] != "Interactive" and j % 5 != 0)
        for j in range(size.logons // 10):
            count(j, True)
        return [(target, account, n, last) for (target, account), (n, last) in found.items()]

    def any_in_window(self, window: dt.timedelta) -> list[tuple[str, str, list[int], dt.datetime]]:
        """Rows of `resolve = any-in-window`, as published: every device that reported the
        address in the window, with the ports and last connection of the address."""
        by_ip: dict[str, tuple[set[int], dt.datetime]] = {}
        for t, ip, port in self.connection_times():
            ports, last = by_ip.get(ip, (set(), t))
            ports.add(port)
            by_ip[ip] = (ports, max(last, t))
        rows = []
        for ip, (ports, last) in by_ip.items():
            holders = {name for t, name in self.reports_of(ip) if t > self.now - window}
            rows += [(ip, holder, sorted(ports), last) for holder in holders]
        return rows


def _port_index(j: str, size: Size) -> str:
    return f"(({j} // {size.connected}) * 3 + {j}) % {len(PORTS)}"


def _port_index_py(j: int, size: Size) -> int:
    return ((j // size.connected) * 3 + j) % len(PORTS)


def _sql_time(value: dt.datetime) -> str:
    return f"TIMESTAMP '{value.isoformat(sep=' ')}'"


def _insert(
    con: Any,
    table: str,
    table_schemas: dict[str, list[tuple[str, str]]],
    time_column: str,
    time: str,
    values: dict[str, str],
    rest: str,
) -> int:
    """INSERT ... SELECT with every column of the platform's table: the given expressions, the
    time in every time column, and what telemetry.build fills for the others."""
    columns = table_schemas[table]
    ddl = ", ".join(f'"{name}" {DUCKDB_TYPE[kind]}' for name, kind in columns)
    con.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({ddl})')
    select = []
    for name, kind in columns:
        if name in (time_column, "Timestamp", "TimeGenerated"):
            expression = time
        elif name in values:
            expression = values[name]
        elif name == "TenantId":
            expression = f"'{TENANT_ID}'"
        elif name == "Type":
            expression = f"'{table}'"
        else:
            expression = "''" if kind == "string" else "NULL"
        select.append(f"CAST({expression} AS {DUCKDB_TYPE[kind]})")
    before = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    con.execute(f'INSERT INTO "{table}" SELECT {", ".join(select)} {rest}')
    return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] - before

