"""Overload and an unreachable database are not errors: a service whose database pool stays
full, or whose database does not answer, says 503 with `Retry-After`, as problem+json, does
nothing, and serves again by itself when the database does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import (
    GatewayFactory,
    Tokens,
    asgi_client,
    free_port,
    refused,
    service_app,
    started,
)


async def test_a_full_pool_is_503_with_retry_after(
    test_run: Any, database: str, tokens: Tokens
) -> None:
    app = service_app(test_run, database, "funding", db_pool_size=1)
    async with started(app), asgi_client(app) as client:
        engine: AsyncEngine = app.state.engine
        async with engine.connect(), engine.connect():  # the pool (1) and its overflow (1)
            response = await client.get("/funding/v1/accounts", headers=tokens.admin)

        refused(response, 503, "service-unavailable")
        assert int(response.headers["retry-after"]) >= 1
        again = await client.get("/funding/v1/accounts", headers=tokens.admin)
        assert again.status_code == 200


async def test_a_database_that_refuses_connections_is_503_at_the_service_and_the_gateway(
    test_run: Any, database: str, tokens: Tokens
) -> None:
    nowhere = f"postgresql://kvf_funding@127.0.0.1:{free_port()}/kvf"
    app = service_app(test_run, database, "funding", database_url=nowhere)
    async with started(app), asgi_client(app) as client:
        response = await client.get("/funding/v1/accounts", headers=tokens.admin)
        refused(response, 503, "service-unavailable")
        assert int(response.headers["retry-after"]) >= 1

        gateways = GatewayFactory(test_run, database)
        async with gateways.run({"funding": "http://funding"}, apps={"funding": app}) as gateway:
            through = await gateway.get("/funding/v1/accounts", headers=tokens.admin)
        refused(through, 503, "service-unavailable")
        assert through.headers["retry-after"] == response.headers["retry-after"]


async def test_a_connection_lost_in_a_request_is_503_and_the_next_request_is_served(
    test_run: Any, database: str, tokens: Tokens
) -> None:
    app = service_app(test_run, database, "funding")

    @app.get("/funding/v1/test-only/lose-connection")
    async def lose_connection() -> None:
        """PostgreSQL ends this request's connection under it, as when the server stops."""
        async with app.state.engine.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    async with started(app), asgi_client(app) as client:
        lost = await client.get("/funding/v1/test-only/lose-connection", headers=tokens.admin)
        refused(lost, 503, "service-unavailable")
        again = await client.get("/funding/v1/accounts", headers=tokens.admin)
        assert again.status_code == 200
