"""Small helpers the platform tests share: free ports, a sample app made with `build_app`."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, FastAPI, Path
from starlette.types import ASGIApp

from common.app import AppInfo, build_app
from common.auth import KeySet
from common.pagination import PageDep
from gateway.main import create_app as create_gateway
from tests.conftest import asgi_client, gateway_settings, started
from tests.database import DatabaseRun

SAMPLE = AppInfo(name="sample", title="Sample", version="0.0.1", description="A test app.")
SECRET_TEXT = "kvf-secret-detail-7f3a"  # what an unexpected error says; must never reach a body


def free_port() -> int:
    """A local TCP port nobody listens on (bound once by the OS, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def closed_url() -> str:
    """The base URL of a local port where nothing listens: connecting is refused."""
    return f"http://127.0.0.1:{free_port()}"


async def _no_keys() -> dict[str, Any]:
    raise AssertionError("the sample app never verifies a token")


async def _always_ready(app: FastAPI) -> bool:
    return True


@asynccontextmanager
async def _no_lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield


def sample_router() -> APIRouter:
    router = APIRouter(prefix=SAMPLE.prefix)

    @router.get("/items")
    async def list_items(page: PageDep) -> dict[str, int]:
        """A list with `?limit=` and `?offset=`."""
        return {"limit": page.limit, "offset": page.offset}

    @router.get("/items/{id}")
    async def read_item(id: Annotated[int, Path()]) -> dict[str, int]:
        """One item by its numeric id."""
        return {"id": id}

    @router.get("/boom")
    async def boom() -> None:
        """Fails as an unforeseen bug would."""
        raise RuntimeError(SECRET_TEXT)

    return router


def sample_app() -> FastAPI:
    """An app with the platform's common parts and a few routes, needing no database."""
    return build_app(
        SAMPLE,
        lifespan=_no_lifespan,
        routers=[sample_router()],
        readiness={"nothing": _always_ready},
        keys=KeySet(_no_keys),
    )


class GatewayFactory:
    """Starts gateways on the test's database with a route table and in-process upstreams."""

    def __init__(self, test_run: DatabaseRun, database: str) -> None:
        self.test_run = test_run
        self.database = database

    @asynccontextmanager
    async def run(
        self,
        upstreams: dict[str, str],
        apps: Mapping[str, ASGIApp] | None = None,
        **overrides: Any,
    ) -> AsyncIterator[httpx.AsyncClient]:
        """A client of a started gateway; upstreams in `apps` are served in-process."""
        transports: dict[str, httpx.AsyncBaseTransport] = {
            name: httpx.ASGITransport(app=app) for name, app in (apps or {}).items()
        }
        settings = gateway_settings(self.test_run, self.database, upstreams=upstreams, **overrides)
        app = create_gateway(settings, transports=transports)
        async with started(app), asgi_client(app) as client:
            yield client


def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    """The JSON object of a response that must have `status` (its body shown if not)."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body
