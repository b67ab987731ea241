"""Overload is not an error: a service whose database pool stays full answers 503 with
`Retry-After`, as problem+json, and does nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import Tokens, asgi_client, refused, service_app, started


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
