"""Fixtures shared by every test: the PostgreSQL server, the run's databases, the apps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from common.settings import PlatformSettings
from gateway.main import create_app as create_gateway
from kvf.embedded import configured_or_temporary
from tests.database import DatabaseRun, server_url
from tests.support import (
    SERVICE_FACTORIES,
    Tokens,
    asgi_client,
    gateway_settings,
    service_app,
    started,
)

# Under `pytest -n` (make test), tests whose costly fixture is shared wider than one test (a
# `kvf up` for a whole package) run on one worker, so that it is started once.
SHARED_PLATFORM_GROUPS = {"tests/e2e/": "e2e"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        for prefix, group in SHARED_PLATFORM_GROUPS.items():
            if path.startswith(prefix):
                item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """KVF_DATABASE_URL when set; otherwise an embedded PostgreSQL for this session."""
    with configured_or_temporary(PlatformSettings().database_url, "kvf-test-") as url:
        yield url


@pytest.fixture(scope="session")
async def test_run(postgres_server: str) -> AsyncIterator[DatabaseRun]:
    """The run's roles and migrated template database; everything dropped at the end."""
    run = DatabaseRun(server_url(postgres_server))
    try:
        await run.create_template()
        yield run
    finally:
        await run.drop_everything()


@pytest.fixture
async def database(test_run: DatabaseRun) -> AsyncIterator[str]:
    """A fresh clone of the migrated template, for one test."""
    name = await test_run.clone()
    try:
        yield name
    finally:
        await test_run.drop(name)


@pytest.fixture
def tokens(test_run: DatabaseRun) -> Tokens:
    """Bearer headers for each role, signed with the run's key."""
    return Tokens(test_run)


@pytest.fixture
async def services(test_run: DatabaseRun, database: str) -> AsyncIterator[dict[str, FastAPI]]:
    """The three services, started in-process against the test's database."""
    apps = {name: service_app(test_run, database, name) for name in SERVICE_FACTORIES}
    async with started(apps["funding"]), started(apps["goals"]), started(apps["mvp-evaluation"]):
        yield apps


@pytest.fixture
async def gateway(
    test_run: DatabaseRun, database: str, services: dict[str, FastAPI]
) -> AsyncIterator[FastAPI]:
    """The gateway, its upstream clients pointed at the in-process services."""
    transports: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.ASGITransport(app=app) for name, app in services.items()
    }
    app = create_gateway(gateway_settings(test_run, database), transports=transports)
    async with started(app):
        yield app


@pytest.fixture
async def client(gateway: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the gateway, as an outside system would."""
    async with asgi_client(gateway) as http:
        yield http


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    """The merged OpenAPI document, as the gateway serves it."""
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    merged: dict[str, Any] = response.json()
    return merged
