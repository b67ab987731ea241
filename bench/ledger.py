"""The ledger with one hot account: 32 concurrent clients posting transfers out of it through
the gateway, against a bare asyncpg loop doing the essential work on tables of its own.

The platform runs as a user runs it (`bench.platform`). The bench opens a source, a hot
budget account funded from it through the API, and one receiving account per client. Each
client is its own admin API client (its own token, and its own rate-limit bucket, as 32
scripts would be) and posts 1-öre transfers from the hot account, each with a new
Idempotency-Key, for `SECONDS`. The same load goes direct to the funding app, to show the
gateway's share. The limit is a bare asyncpg loop on 32 connections to the same database:
one transaction per transfer with the conditional debit, the credit and the insert, as
prepared statements, on tables the bench makes in a scratch schema. Each is run `REPEATS`
times, the three interleaved; the median counts. The HTTP load comes from
`bench.http`, whose own CPU stays small beside the server's.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
import httpx
import psutil  # type: ignore[import-untyped]  # psutil ships no type information

from bench.http import HttpConnection
from bench.platform import Platform

CLIENTS = 32
SECONDS = 8.0
REPEATS = 3
YEAR = 2020
SOURCE = f"{YEAR}.bench.staten"
HOT = f"{YEAR}.bench.hot"
FUNDS = 10**15
API = "/funding/v1"
SCRATCH = "ledger_bench"


def receiver(index: int) -> str:
    return f"{YEAR}.bench.to.{index:02d}"


@dataclass
class Load:
    """What one timed run of the HTTP load did."""

    transfers: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.transfers / self.seconds


async def _post_json(client: httpx.AsyncClient, path: str, body: object) -> dict[str, str]:
    response = await client.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    if response.status_code != 201:
        raise RuntimeError(f"{path}: {response.status_code} {response.text[:500]}")
    created: dict[str, str] = response.json()
    return created


async def _open(client: httpx.AsyncClient, code: str, kind: str, parent: str | None) -> None:
    body = {"code": code, "name": code, "year": YEAR, "parent_code": parent, "kind": kind}
    await _post_json(client, f"{API}/accounts", body)


async def prepare(running: Platform) -> list[dict[str, str]]:
    """The hot account funded through the API, a receiver per client, and a bearer header
    for each client (an admin API client of its own)."""
    admin = await running.admin_headers()
    async with httpx.AsyncClient(base_url=running.gateway_url, headers=admin, timeout=60) as api:
        await _open(api, SOURCE, "source", None)
        await _open(api, HOT, "budget", None)
        for index in range(CLIENTS):
            await _open(api, receiver(index), "budget", None)
        funding = {"from_account": SOURCE, "to_account": HOT, "amount_ore": FUNDS}
        await _post_json(api, f"{API}/transfers", {**funding, "kind": "appropriation"})
        headers = []
        for index in range(CLIENTS):
            body = {"name": f"ledger bench {index}", "role": "admin"}
            made = await _post_json(api, "/auth/v1/clients", body)
            form = {"grant_type": "client_credentials", "client_id": made["client_id"]}
            form["client_secret"] = made["client_secret"]
            token = await api.post("/auth/v1/token", data=form)
            token.raise_for_status()
            headers.append({"Authorization": f"Bearer {token.json()['access_token']}"})
    return headers


async def _client_loop(
    base_url: str, index: int, auth: dict[str, str], until: float, load: Load
) -> None:
    connection = await HttpConnection.open(base_url)
    body = json.dumps(
        {"from_account": HOT, "to_account": receiver(index), "amount_ore": 1, "kind": "payment"}
    ).encode()
    try:
        while time.perf_counter() < until:
            headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
            status = await connection.post(f"{API}/transfers", headers, body)
            load.statuses[status] += 1
            if status == 201:
                load.transfers += 1
            elif status in (429, 503):
                await asyncio.sleep(0.5)
    finally:
        await connection.close()


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def http_load(
    running: Platform, base_url: str, headers: list[dict[str, str]], seconds: float = SECONDS
) -> Load:
    """`CLIENTS` clients posting transfers at `base_url` for `seconds`; the processes' CPU."""
    processes = {app: running.service(app) for app in ("gateway", "funding")}
    before = {app: _cpu_seconds(process) for app, process in processes.items()}
    load = Load()
    started_at = time.perf_counter()
    until = started_at + seconds
    await asyncio.gather(
        *(_client_loop(base_url, i, auth, until, load) for i, auth in enumerate(headers))
    )
    load.seconds = time.perf_counter() - started_at
    load.cpu = {app: _cpu_seconds(p) - before[app] for app, p in processes.items()}
    return load


SCRATCH_TABLES = f"""
DROP SCHEMA IF EXISTS {SCRATCH} CASCADE;
CREATE SCHEMA {SCRATCH};
CREATE TABLE {SCRATCH}.account (
    code varchar(100) PRIMARY KEY,
    kind varchar(20) NOT NULL,
    credited_ore bigint NOT NULL DEFAULT 0,
    debited_ore bigint NOT NULL DEFAULT 0,
    pending_ore bigint NOT NULL DEFAULT 0,
    CHECK (kind = 'source' OR credited_ore - debited_ore - pending_ore >= 0)
);
CREATE TABLE {SCRATCH}.transfer (
    id bigserial PRIMARY KEY,
    from_account varchar(100) NOT NULL REFERENCES {SCRATCH}.account (code),
    to_account varchar(100) NOT NULL REFERENCES {SCRATCH}.account (code),
    amount_ore bigint NOT NULL CHECK (amount_ore > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
"""

DEBIT = """
UPDATE ledger_bench.account SET debited_ore = debited_ore + $2
WHERE code = $1 AND (kind = 'source' OR credited_ore - debited_ore - pending_ore >= $2)
RETURNING code
"""
CREDIT = "UPDATE ledger_bench.account SET credited_ore = credited_ore + $2 WHERE code = $1"
INSERT = """
INSERT INTO ledger_bench.transfer (from_account, to_account, amount_ore) VALUES ($1, $2, $3)
RETURNING id, created_at
"""


async def bare_setup(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(SCRATCH_TABLES)
        codes = [(HOT, "budget", FUNDS)] + [(receiver(i), "budget", 0) for i in range(CLIENTS)]
        await connection.executemany(
            "INSERT INTO ledger_bench.account (code, kind, credited_ore) VALUES ($1, $2, $3)", codes
        )
    finally:
        await connection.close()


async def _bare_loop(connection: asyncpg.Connection, index: int, until: float) -> int:
    debit, credit, insert = [await connection.prepare(sql) for sql in (DEBIT, CREDIT, INSERT)]
    to, made = receiver(index), 0
    while time.perf_counter() < until:
        async with connection.transaction():
            if await debit.fetchval(HOT, 1) is None:
                raise RuntimeError("the bare loop's hot account ran dry")
            await credit.fetch(to, 1)
            await insert.fetchrow(HOT, to, 1)
        made += 1
    return made


async def bare_load(pool: list[asyncpg.Connection], seconds: float = SECONDS) -> float:
    """Transfers per second of the bare loop on `CLIENTS` connections."""
    started_at = time.perf_counter()
    until = started_at + seconds
    made = await asyncio.gather(*(_bare_loop(c, i, until) for i, c in enumerate(pool)))
    return sum(made) / (time.perf_counter() - started_at)


def report(gateway: list[Load], direct: list[Load], bare: list[float]) -> None:
    def line(label: str, loads: list[Load]) -> str:
        rates = sorted(load.per_second for load in loads)
        cpu = {
            app: 1000 * sum(load.cpu[app] for load in loads) / sum(load.transfers for load in loads)
            for app in ("funding", "gateway")
        }
        statuses = sum((load.statuses for load in loads), Counter())
        return (
            f"  {label:<32} {statistics.median(rates):>7.1f} transfers/s  "
            f"(runs {', '.join(f'{r:.1f}' for r in rates)}); CPU per transfer: "
            f"funding {cpu['funding']:.1f} ms, gateway {cpu['gateway']:.1f} ms; "
            f"statuses {dict(sorted(statuses.items()))}"
        )

    print(f"ledger: one hot account, {CLIENTS} clients, {SECONDS:.0f} s a run")
    print(line("through the gateway:", gateway))
    print(line("direct to funding:", direct))
    rates = ", ".join(f"{r:.1f}" for r in sorted(bare))
    print(
        f"  {'bare asyncpg (debit, credit, insert):':<32} {statistics.median(bare):>7.1f} "
        f"transfers/s  (runs {rates})"
    )
    gateway_tps = statistics.median(load.per_second for load in gateway)
    direct_tps = statistics.median(load.per_second for load in direct)
    bare_tps = statistics.median(bare)
    print(
        f"  ratio gateway / bare: {gateway_tps / bare_tps:.2f}  (goal ≥ 0.4); "
        f"direct / bare: {direct_tps / bare_tps:.2f}; gateway / direct: "
        f"{gateway_tps / direct_tps:.2f}"
    )


async def run(running: Platform) -> dict[str, float]:
    """Transfers per second through the gateway ÷ the bare asyncpg loop's, same run."""
    headers = await prepare(running)
    await bare_setup(running.owner_dsn)
    pool = [await asyncpg.connect(running.owner_dsn) for _ in range(CLIENTS)]
    gateway: list[Load] = []
    direct: list[Load] = []
    bare: list[float] = []
    try:
        await http_load(running, running.gateway_url, headers, seconds=1.0)  # warm-up
        await bare_load(pool, seconds=1.0)
        for _ in range(REPEATS):
            bare.append(await bare_load(pool))
            direct.append(await http_load(running, running.url_of("funding"), headers))
            gateway.append(await http_load(running, running.gateway_url, headers))
    finally:
        await pool[0].execute(f"DROP SCHEMA {SCRATCH} CASCADE")
        for connection in pool:
            await connection.close()
    report(gateway, direct, bare)
    gateway_tps = statistics.median(load.per_second for load in gateway)
    return {"ledger_hot_account": gateway_tps / statistics.median(bare)}
