"""The whole platform as a user runs it: `kvf up` as a real process tree on a fresh database,
shared by every end-to-end test in this package, and the `kvf` command line against it."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator

import httpx
import pytest

from kvf.apps import APPS
from tests.database import DatabaseRun
from tests.processes import KvfUp
from tests.support import free_port


@pytest.fixture(scope="package")
async def platform(
    test_run: DatabaseRun, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[KvfUp]:
    """The whole platform as `kvf up` runs it, on a fresh database, for this package's tests."""
    database = await test_run.create_empty()
    owner = test_run.owner_url(database).set(drivername="postgresql")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
    env.update({f"{spec.env_prefix}PORT": str(free_port()) for spec in APPS})
    env.update({f"{spec.env_prefix}DB_PASSWORD": test_run.passwords[spec.schema] for spec in APPS})
    home = tmp_path_factory.mktemp("platform") / "home"
    env.update(
        KVF_HOME=str(home),
        KVF_DATABASE_URL=owner.render_as_string(hide_password=False),
        KVF_DB_ROLE_PREFIX=test_run.prefix,
    )
    run = KvfUp(home, env)
    run.start()
    try:
        await run.wait_ready()
        yield run
        assert await run.stop(signal.SIGTERM) == 0, run.output()
    finally:
        run.kill_leftovers()
        await test_run.drop(database)


@pytest.fixture(scope="package")
async def outside(platform: KvfUp) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the running gateway, as an outside system holds one."""
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=60) as client:
        yield client
