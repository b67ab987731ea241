"""The gateway is ready when its database and every upstream are; live whatever happens."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp

from common.problems import PROBLEM_JSON
from tests.gateway.support import HangingServer
from tests.support import GatewayFactory, closed_url


def _two_of_three(
    services: dict[str, FastAPI], third: str
) -> tuple[dict[str, str], dict[str, ASGIApp]]:
    upstreams = {"funding": "http://funding", "goals": "http://goals", "mvp-evaluation": third}
    apps: dict[str, ASGIApp] = {"funding": services["funding"], "goals": services["goals"]}
    return upstreams, apps


class TestGatewayReadiness:
    async def test_ready_is_200_when_every_upstream_is_ready(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/health/ready")

        assert response.status_code == 200
        assert response.json() == {
            "status": "ready",
            "checks": {"database": True, "upstreams": True},
        }

    async def test_one_upstream_down_is_503_problem_and_live_is_still_200(
        self, gateways: GatewayFactory, services: dict[str, FastAPI]
    ) -> None:
        async with gateways.run(*_two_of_three(services, closed_url())) as client:
            ready = await client.get("/health/ready")
            live = await client.get("/health/live")

        assert ready.status_code == 503
        assert ready.headers["content-type"] == PROBLEM_JSON
        body = ready.json()
        assert body["status"] == 503
        assert body["checks"] == {"database": True, "upstreams": False}
        assert body["request_id"] == ready.headers["x-request-id"]
        assert live.status_code == 200
        assert live.json() == {"status": "live"}

    async def test_hanging_upstream_makes_the_gateway_not_ready(
        self,
        gateways: GatewayFactory,
        services: dict[str, FastAPI],
        hanging_server: HangingServer,
    ) -> None:
        upstreams, apps = _two_of_three(services, hanging_server.url)
        async with gateways.run(upstreams, apps, ready_timeout=0.5) as client:
            ready = await client.get("/health/ready")

        assert ready.status_code == 503
        assert ready.json()["checks"]["upstreams"] is False
