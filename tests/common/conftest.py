"""Fixtures of the common kit's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.database import DatabaseRun
from tests.support import GatewayFactory, asgi_client, sample_app, started


@pytest.fixture
def gateways(test_run: DatabaseRun, database: str) -> GatewayFactory:
    """Gateways on the test's database, in front of the upstreams a test chooses."""
    return GatewayFactory(test_run, database)


@pytest.fixture
async def sample() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the started sample app (made with `build_app`, no database)."""
    app = sample_app()
    async with started(app), asgi_client(app) as client:
        yield client
