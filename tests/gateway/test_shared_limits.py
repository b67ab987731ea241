"""Rate limits: several gateway processes on one database enforce one limit per client, and
a client may have a limit of its own."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette

from gateway.buckets import SharedBuckets
from gateway.main import create_app as create_gateway
from tests.database import DatabaseRun
from tests.gateway.test_auth import create_client, get_token
from tests.support import (
    Schema,
    Tokens,
    asgi_client,
    closed_url,
    expect,
    gateway_settings,
    make_token,
    refused,
    started,
)


@asynccontextmanager
async def replicas(
    test_run: DatabaseRun, database: str, count: int = 2, **overrides: Any
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """`count` gateways on the test's database, as replicas behind a load balancer."""
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(count):
            app = create_gateway(gateway_settings(test_run, database, **overrides))
            await stack.enter_async_context(started(app))
            clients.append(await stack.enter_async_context(asgi_client(app)))
        yield clients


async def statuses(
    clients: list[httpx.AsyncClient], headers: dict[str, str], count: int
) -> Counter[int]:
    """The statuses of `count` requests sent at once, spread over the replicas in turn."""
    responses = await asyncio.gather(
        *(clients[n % len(clients)].get("/api-info", headers=headers) for n in range(count))
    )
    return Counter(response.status_code for response in responses)


# A refill this slow adds no token during a test: what passes is the burst alone.
SLOW: dict[str, Any] = {"rate_limit_per_second": 0.001}


class TestReplicasShareOneLimit:
    async def test_two_gateways_pass_one_burst_between_them(
        self, test_run: DatabaseRun, database: str, tokens: Tokens
    ) -> None:
        reader = tokens.reader
        async with replicas(test_run, database, rate_limit_burst=6, **SLOW) as (first, second):
            seen = [
                (await client.get("/api-info", headers=reader)).status_code
                for client in (first, second) * 5
            ]
            assert seen == [200] * 6 + [429] * 4
            refused = await second.get("/api-info", headers=reader)
            assert refused.json()["type"] == "too-many-requests"
            assert int(refused.headers["retry-after"]) >= 1
            # Another client has a bucket of its own, at both replicas.
            evaluator = tokens.evaluator
            assert (await first.get("/api-info", headers=evaluator)).status_code == 200
            assert (await second.get("/api-info", headers=evaluator)).status_code == 200

    async def test_a_concurrent_burst_over_two_gateways_never_passes_more_than_the_limit(
        self, test_run: DatabaseRun, database: str, tokens: Tokens
    ) -> None:
        async with replicas(test_run, database, rate_limit_burst=100, **SLOW) as clients:
            seen = await statuses(clients, tokens.reader, 300)
        assert set(seen) == {200, 429}, seen
        # Each replica takes tokens ten at a time; at most one lease each may be unused.
        assert 100 - 2 * 9 <= seen[200] <= 100, seen

    async def test_the_bucket_is_a_row_of_the_gateways_schema(
        self, test_run: DatabaseRun, database: str, tokens: Tokens
    ) -> None:
        token = make_token(test_run, "reader", client_id="kvf_reader_1")
        async with replicas(test_run, database, count=1, rate_limit_burst=6, **SLOW) as clients:
            await clients[0].get("/api-info", headers={"Authorization": f"Bearer {token}"})
        rows = await Schema(test_run, database, "gateway").rows(
            "SELECT identity, round(tokens) FROM gateway.rate_bucket"
        )
        # Six tokens, one passed request: the lease took one, five are left for any replica.
        assert rows == [("client:kvf_reader_1", 5)], rows

    async def test_a_fast_client_takes_a_twentieth_of_a_second_of_tokens_at_a_time(
        self, test_run: DatabaseRun, database: str
    ) -> None:
        token = make_token(test_run, "reader", client_id="kvf_reader_2")
        settings: dict[str, Any] = {"rate_limit_per_second": 1000.0, "rate_limit_burst": 2000}
        async with replicas(test_run, database, count=1, **settings) as clients:
            headers = {"Authorization": f"Bearer {token}"}
            seen = [
                (await clients[0].get("/api-info", headers=headers)).status_code for _ in range(3)
            ]
        assert seen == [200] * 3
        rows = await Schema(test_run, database, "gateway").rows(
            "SELECT identity, round(tokens) FROM gateway.rate_bucket"
        )
        # One statement for all three: a lease of fifty tokens (1000 per second ÷ 20).
        assert rows == [("client:kvf_reader_2", 1950)], rows

    async def test_in_memory_limits_are_one_per_gateway(
        self, test_run: DatabaseRun, database: str, tokens: Tokens
    ) -> None:
        """The `memory` store, for one replica, says what sharing is for."""
        settings: dict[str, Any] = {"rate_limit_burst": 6, "rate_limit_store": "memory", **SLOW}
        reader = tokens.reader
        async with replicas(test_run, database, **settings) as (first, second):
            seen = [
                (await client.get("/api-info", headers=reader)).status_code
                for client in (first, second) * 7
            ]
        assert seen == [200] * 12 + [429] * 2


class TestDatabaseUnreachable:
    async def test_each_process_limits_on_its_own_until_the_database_answers(self) -> None:
        engine = create_async_engine(
            make_url(closed_url()).set(drivername="postgresql+asyncpg"),
            connect_args={"timeout": 2},
        )
        app = Starlette()
        app.state.engine = engine
        buckets = SharedBuckets(0.001, 3)
        try:
            waits = [await buckets.admit("ip:198.51.100.7", app) for _ in range(4)]
        finally:
            await engine.dispose()
        assert waits[:3] == [0.0, 0.0, 0.0]
        assert waits[3] > 0


class TestAClientsOwnLimit:
    async def test_a_client_made_with_its_own_limit_is_held_to_it_and_others_are_not(
        self, test_run: DatabaseRun, database: str, tokens: Tokens
    ) -> None:
        # The default: 50 per second, 100 at once (two seconds' worth), refilling slowly.
        settings: dict[str, Any] = {"rate_limit_per_second": 50.0, "rate_limit_burst": 100}
        async with replicas(test_run, database, count=1, **settings) as (gateway,):
            made = await create_client(
                gateway, tokens, name="Nightly export", role="reader", rate_limit_per_second=2
            )
            assert made["rate_limit_per_second"] == 2
            listed = expect(
                await gateway.get(f"/auth/v1/clients/{made['client_id']}", headers=tokens.admin),
                200,
            )
            assert listed["rate_limit_per_second"] == 2
            token = expect(await get_token(gateway, made["client_id"], made["client_secret"]), 200)
            own = {"Authorization": f"Bearer {token['access_token']}"}
            seen = [(await gateway.get("/api-info", headers=own)).status_code for _ in range(6)]
            # Two per second, and two seconds' worth at once, as the default's bucket holds.
            assert seen == [200] * 4 + [429] * 2
            reader = tokens.reader
            others = [
                (await gateway.get("/api-info", headers=reader)).status_code for _ in range(6)
            ]
            assert others == [200] * 6

    @pytest.mark.parametrize("limit", [0, -1, 1.5, "10", 100_001])
    async def test_a_limit_that_is_not_a_positive_whole_number_is_refused(
        self, test_run: DatabaseRun, database: str, tokens: Tokens, limit: object
    ) -> None:
        async with replicas(test_run, database, count=1) as (gateway,):
            schema = Schema(test_run, database, "gateway")
            before = await schema.count("api_client")
            response = await gateway.post(
                "/auth/v1/clients",
                json={"name": "X", "role": "reader", "rate_limit_per_second": limit},
                headers=tokens.admin,
            )
            refused(response, 422, "validation-error")
            assert await schema.count("api_client") == before
