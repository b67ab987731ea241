"""The whole platform as a user runs it: `kvf up` as a real process tree on a fresh database,
shared by every end-to-end test in this package, and the `kvf` command line against it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.database import DatabaseRun
from tests.processes import KvfUp, running_platform


@pytest.fixture(scope="package")
async def platform(
    test_run: DatabaseRun, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[KvfUp]:
    """The whole platform as `kvf up` runs it, on a fresh database, for this package's tests."""
    database = await test_run.create_empty()
    home = tmp_path_factory.mktemp("platform") / "home"
    async with running_platform(test_run, database, home) as run:
        yield run


@pytest.fixture(scope="package")
async def outside(platform: KvfUp) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the running gateway, as an outside system holds one."""
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=60) as client:
        yield client
