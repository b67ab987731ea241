"""One service paused or killed under a real `kvf up`: a paused one is 504 `gateway-timeout`
after the gateway's read timeout, a killed one is 503 `service-unavailable` at once (the
connection is refused); meanwhile the other services answer, and afterwards it serves again.

One `kvf up` serves both tests; each leaves every app serving. The supervision tests
(`tests/kvf/test_supervision.py`) kill mvp-evaluation and watch funding; the kill here is of
goals, with both other services watched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.database import DatabaseRun
from tests.e2e.outside import admin_bearer, expect_problem
from tests.processes import KvfUp, running_platform

# One `kvf up` serves the module: under `pytest -n`, its tests run on one worker.
pytestmark = pytest.mark.xdist_group("upstream-faults")

READ_TIMEOUT = 4.0  # the gateway's, seconds; short, so that waiting it out costs little
BACK_WITHIN = 30.0  # generous: a busy machine only makes the restart slower
SERVICES = ("funding", "goals", "mvp-evaluation")


@pytest.fixture(scope="module")
async def platform(
    test_run: DatabaseRun, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[KvfUp]:
    """`kvf up` on a fresh clone of the run's migrated database (so that its `db init` finds
    nothing to do), its gateway with a short read timeout."""
    database = await test_run.clone()
    home = tmp_path_factory.mktemp("faults") / "home"
    async with running_platform(
        test_run, database, home, KVF_GATEWAY_READ_TIMEOUT=str(READ_TIMEOUT)
    ) as run:
        yield run


@pytest.fixture(scope="module")
async def outside(platform: KvfUp) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway that waits far longer than the gateway does."""
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
async def admin(platform: KvfUp, outside: httpx.AsyncClient) -> dict[str, str]:
    return await admin_bearer(platform, outside)


async def _me(outside: httpx.AsyncClient, admin: dict[str, str], app: str) -> httpx.Response:
    return await outside.get(f"/{app}/v1/me", headers=admin)


async def _until_it_serves(
    outside: httpx.AsyncClient, admin: dict[str, str], victim: str, run: KvfUp
) -> dict[str, list[int]]:
    """Ask every service in turn until `victim` answers 200; every status, by service."""
    statuses: dict[str, list[int]] = {app: [] for app in SERVICES}
    deadline = asyncio.get_running_loop().time() + BACK_WITHIN
    while statuses[victim][-1:] != [200]:
        assert asyncio.get_running_loop().time() < deadline, f"{statuses}\n{run.output()}"
        for app, answers in statuses.items():
            answers.append((await _me(outside, admin, app)).status_code)
        await asyncio.sleep(0.2)
    return statuses


async def test_a_paused_service_is_504_at_the_read_timeout_while_the_others_answer(
    platform: KvfUp, outside: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    funding = platform.serving("funding")
    assert funding is not None, platform.output()
    loop = asyncio.get_running_loop()
    funding.suspend()  # SIGSTOP: the port still takes connections, nothing answers
    try:
        sent_at = loop.time()
        waiting = asyncio.create_task(_me(outside, admin, "funding"))
        others = {app: (await _me(outside, admin, app)).status_code for app in SERVICES[1:]}
        paused = await waiting
        waited = loop.time() - sent_at
    finally:
        funding.resume()  # SIGCONT
    statuses = await _until_it_serves(outside, admin, "funding", platform)

    body = expect_problem(paused, 504, "gateway-timeout")
    assert "funding" in body["detail"]
    assert waited >= READ_TIMEOUT  # waited out, not refused at once as a service that is down
    assert others == {"goals": 200, "mvp-evaluation": 200}
    assert set(statuses["goals"]) == set(statuses["mvp-evaluation"]) == {200}
    assert platform.serving("funding") == funding  # the same process, only paused


async def test_a_killed_service_is_503_at_once_while_the_others_answer_then_serves_again(
    platform: KvfUp, outside: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    victim = platform.serving("goals")
    assert victim is not None, platform.output()
    victim.kill()
    await asyncio.to_thread(victim.wait, 10)

    # The first request after the kill, answered from a refused connection.
    outage = await _me(outside, admin, "goals")
    statuses = await _until_it_serves(outside, admin, "goals", platform)
    comeback = platform.serving("goals")

    body = expect_problem(outage, 503, "service-unavailable")
    assert "goals" in body["detail"]
    assert int(outage.headers["retry-after"]) >= 1
    assert set(statuses["funding"]) == set(statuses["mvp-evaluation"]) == {200}, statuses
    assert set(statuses["goals"]) <= {200, 503}, statuses
    assert comeback is not None
    assert comeback.pid != victim.pid
