"""A service is ready only when its database answers; it is live regardless."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from common.problems import PROBLEM_JSON
from tests.database import DatabaseRun
from tests.support import SERVICE_FACTORIES, asgi_client, run_keys, started

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


class TestServiceHealth:
    @pytest.mark.parametrize("name", sorted(SERVICE_FACTORIES))
    async def test_unreachable_database_is_503_problem_and_live_is_200(
        self, test_run: DatabaseRun, name: str
    ) -> None:
        factory, settings_class, _ = SERVICE_FACTORIES[name]
        app = factory(settings_class(database_url=UNREACHABLE), keys=run_keys(test_run))

        async with started(app), asgi_client(app) as client:
            ready = await client.get("/health/ready")
            live = await client.get("/health/live")

        assert ready.status_code == 503
        assert ready.headers["content-type"] == PROBLEM_JSON
        body = ready.json()
        assert body["status"] == 503
        assert body["checks"] == {"database": False}
        assert body["request_id"] == ready.headers["x-request-id"]
        assert live.status_code == 200
        assert live.json() == {"status": "live"}

    @pytest.mark.parametrize("name", sorted(SERVICE_FACTORIES))
    async def test_reachable_database_is_ready(
        self, services: dict[str, FastAPI], name: str
    ) -> None:
        async with asgi_client(services[name]) as client:
            response = await client.get("/health/ready")

        assert response.status_code == 200
        assert response.json() == {"status": "ready", "checks": {"database": True}}
