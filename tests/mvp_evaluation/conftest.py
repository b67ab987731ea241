"""Fixtures of the mvp-evaluation tests: the API's factories, the schema, and apps with other
settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.main import create_app as create_gateway
from tests.database import DatabaseRun
from tests.mvp_evaluation.support import GatewayWith, Survey
from tests.support import (
    SERVICE_FACTORIES,
    Schema,
    Tokens,
    asgi_client,
    gateway_settings,
    service_app,
    started,
)


@pytest.fixture
def schema(test_run: DatabaseRun, database: str) -> Schema:
    """What schema `mvp_evaluation` holds, read as the database owner."""
    return Schema(test_run, database, "mvp_evaluation")


@pytest.fixture
def survey(client: httpx.AsyncClient, tokens: Tokens) -> Survey:
    return Survey(client, tokens)


@pytest.fixture
def gateway_with(test_run: DatabaseRun, database: str) -> GatewayWith:
    """A gateway whose mvp-evaluation service has these settings (limits, cell size)."""

    @asynccontextmanager
    async def run(**mvp_settings: Any) -> AsyncIterator[httpx.AsyncClient]:
        apps: dict[str, FastAPI] = {
            name: service_app(
                test_run, database, name, **(mvp_settings if name == "mvp-evaluation" else {})
            )
            for name in SERVICE_FACTORIES
        }
        transports: dict[str, httpx.AsyncBaseTransport] = {
            name: httpx.ASGITransport(app=app) for name, app in apps.items()
        }
        gateway = create_gateway(gateway_settings(test_run, database), transports=transports)
        async with (
            started(apps["funding"]),
            started(apps["goals"]),
            started(apps["mvp-evaluation"]),
            started(gateway),
            asgi_client(gateway) as http,
        ):
            yield http

    return run


@pytest.fixture
def service_with(test_run: DatabaseRun, database: str) -> GatewayWith:
    """The mvp-evaluation app alone, with these settings, and a client talking to it directly:
    for what the service itself reads of a body (an in-process gateway drains the rest)."""

    @asynccontextmanager
    async def run(**mvp_settings: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = service_app(test_run, database, "mvp-evaluation", **mvp_settings)
        async with started(app), asgi_client(app) as http:
            yield http

    return run
