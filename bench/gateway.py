"""The gateway's cost: the same GETs through the gateway and straight to the funding service.

`gateway_auth_get`: an authenticated small GET (`/funding/v1/accounts/{code}`) from 32
connections for a few seconds, requests per second through the gateway ÷ straight to funding.
`gateway_proxied_get`: the same for a GET without a token (`/funding/v1/api-info`).
`gateway_added_p50_ms`: one connection, one request at a time: the median latency through the
gateway minus straight to funding, in milliseconds, over rounds of each in turn.

The load comes from `bench.http`, whose own CPU stays small beside what is measured.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx

from bench.http import HttpConnection
from bench.platform import Platform

CONNECTIONS = 32
SECONDS = 4.0
LATENCY_REQUESTS = 100
LATENCY_ROUNDS = 8
ACCOUNT = "2019.bench"


async def throughput(url: str, path: str, headers: dict[str, str]) -> float:
    """Requests per second from CONNECTIONS connections over SECONDS (every answer a 200)."""
    connections = await asyncio.gather(*(HttpConnection.open(url) for _ in range(CONNECTIONS)))
    stop_at = time.perf_counter() + SECONDS
    counts = [0] * CONNECTIONS

    async def drive(index: int) -> None:
        while time.perf_counter() < stop_at:
            status = await connections[index].get(path, headers)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
            counts[index] += 1

    started = time.perf_counter()
    try:
        await asyncio.gather(*(drive(index) for index in range(CONNECTIONS)))
    finally:
        await asyncio.gather(*(connection.close() for connection in connections))
    return sum(counts) / (time.perf_counter() - started)


async def latencies(url: str, path: str, headers: dict[str, str]) -> list[float]:
    """Milliseconds of each of LATENCY_REQUESTS requests sent one at a time."""
    connection = await HttpConnection.open(url)
    times = []
    try:
        for _ in range(LATENCY_REQUESTS):
            started = time.perf_counter()
            if await connection.get(path, headers) != 200:
                raise RuntimeError(f"GET {path} was not 200")
            times.append((time.perf_counter() - started) * 1000)
    finally:
        await connection.close()
    return times


async def _account(running: Platform, headers: dict[str, str]) -> str:
    async with httpx.AsyncClient(base_url=running.gateway_url, headers=headers) as client:
        response = await client.post(
            "/funding/v1/accounts",
            json={"code": ACCOUNT, "name": "Bench", "kind": "budget", "year": 2019},
            headers={"Idempotency-Key": "bench-account-0001"},
        )
        if response.status_code not in (200, 201):
            raise RuntimeError(f"account: {response.status_code} {response.text[:300]}")
    return f"/funding/v1/accounts/{ACCOUNT}"


async def run(running: Platform) -> dict[str, float]:
    admin = await running.admin_headers()
    # A client of its own whose limit is not what is measured: the admin's.
    account_path = await _account(running, admin)
    gateway, funding = running.gateway_url, running.url_of("funding")
    figures: dict[str, tuple[float, float]] = {}
    for name, path, headers in (
        ("gateway_auth_get", account_path, admin),
        ("gateway_proxied_get", "/funding/v1/api-info", {}),
    ):
        await throughput(funding, path, headers)  # warm both paths up
        await throughput(gateway, path, headers)
        vias, directs = [], []
        for _ in range(3):  # alternately, so that a slow spell of the machine hits both
            vias.append(await throughput(gateway, path, headers))
            directs.append(await throughput(funding, path, headers))
        via, direct = statistics.median(vias), statistics.median(directs)
        figures[name] = (via, direct)
        print(f"  {name}: {via:,.0f} req/s through the gateway, {direct:,.0f} req/s direct")
    via_times: list[float] = []
    direct_times: list[float] = []
    for _ in range(LATENCY_ROUNDS):  # alternately, as above
        via_times += await latencies(gateway, account_path, admin)
        direct_times += await latencies(funding, account_path, admin)
    via_ms, direct_ms = statistics.median(via_times), statistics.median(direct_times)
    print(f"  one connection: p50 {via_ms:.2f} ms through the gateway, {direct_ms:.2f} ms direct")
    return {
        **{name: via / direct for name, (via, direct) in figures.items()},
        "gateway_added_p50_ms": via_ms - direct_ms,
    }
