"""Fixtures of the gateway tests: gateways in front of test upstreams (see support.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.database import DatabaseRun
from tests.gateway.support import HangingServer
from tests.support import GatewayFactory


@pytest.fixture
def gateways(test_run: DatabaseRun, database: str) -> GatewayFactory:
    return GatewayFactory(test_run, database)


@pytest.fixture
async def hanging_server() -> AsyncIterator[HangingServer]:
    server = HangingServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()
