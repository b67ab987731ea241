"""Fixtures shared by every test: the PostgreSQL server, the run's databases, the apps."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from common.auth import KeySet, Role
from common.settings import AppSettings, PlatformSettings
from gateway.clients.models import ApiClient
from gateway.clients.service import issue_token
from gateway.config import Settings as GatewaySettings
from gateway.keys import Keyring
from gateway.main import create_app as create_gateway
from kvf.embedded import EmbeddedPostgres
from services.funding.config import Settings as FundingSettings
from services.funding.main import create_app as create_funding
from services.goals.config import Settings as GoalsSettings
from services.goals.main import create_app as create_goals
from services.mvp_evaluation.config import Settings as MvpSettings
from services.mvp_evaluation.main import create_app as create_mvp
from tests.database import DatabaseRun, server_url

SERVICE_FACTORIES: dict[str, tuple[Callable[..., FastAPI], type[AppSettings], str]] = {
    "funding": (create_funding, FundingSettings, "funding"),
    "goals": (create_goals, GoalsSettings, "goals"),
    "mvp-evaluation": (create_mvp, MvpSettings, "mvp_evaluation"),
}


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """KVF_DATABASE_URL when set; otherwise an embedded PostgreSQL for this session."""
    configured = PlatformSettings().database_url
    if configured:
        yield configured
        return
    directory = Path(tempfile.mkdtemp(prefix="kvf-test-"))
    embedded = EmbeddedPostgres(directory / "pgdata")
    try:
        yield embedded.start()
    finally:
        embedded.stop()
        shutil.rmtree(directory, ignore_errors=True)


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


@asynccontextmanager
async def started(app: FastAPI) -> AsyncIterator[FastAPI]:
    """Run the app's lifespan around the block, as a server would."""
    async with app.router.lifespan_context(app):
        yield app


def run_keys(run: DatabaseRun) -> KeySet:
    """The run's public keys, as a service would fetch them from the gateway's JWKS."""
    keyring = Keyring(keys=[run.signing_key])

    async def fetch() -> dict[str, Any]:
        return keyring.jwks()

    return KeySet(fetch)


def service_app(run: DatabaseRun, database: str, name: str, **overrides: Any) -> FastAPI:
    factory, settings_class, schema = SERVICE_FACTORIES[name]
    settings = settings_class(
        platform=run.platform(database),
        db_password=run.passwords[schema],
        database_url=None,
        **overrides,
    )
    return factory(settings, keys=run_keys(run))


def gateway_settings(run: DatabaseRun, database: str, **overrides: Any) -> GatewaySettings:
    """The gateway's settings for a test: the run's key, and limits a test suite won't hit."""
    options: dict[str, Any] = {
        "signing_key": run.signing_key.pem(),
        "rate_limit_per_second": 100_000.0,
        "rate_limit_burst": 100_000,
    }
    options.update(overrides)
    return GatewaySettings(
        platform=run.platform(database),
        db_password=run.passwords["gateway"],
        database_url=None,
        **options,
    )


def make_token(
    run: DatabaseRun,
    role: Role | str,
    *,
    county_code: str | None = None,
    organisation_number: str | None = None,
    client_id: str | None = None,
    ttl: timedelta = timedelta(minutes=15),
) -> str:
    """A token as the gateway issues it, for a client that need not exist in the database."""
    client = ApiClient(
        client_id=client_id or f"kvf_test_{secrets.token_hex(4)}",
        role=Role(role).value,
        county_code=county_code,
        organisation_number=organisation_number,
    )
    return issue_token(client, keyring=Keyring(keys=[run.signing_key]), ttl=ttl)


class Tokens:
    """Authorization headers for each role: `tokens.admin`, `tokens.rss("12")` ..."""

    def __init__(self, run: DatabaseRun) -> None:
        self.run = run

    def header(self, role: Role | str, **scope: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(self.run, role, **scope)}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.header(Role.admin)

    @property
    def evaluator(self) -> dict[str, str]:
        return self.header(Role.evaluator)

    @property
    def reader(self) -> dict[str, str]:
        return self.header(Role.reader)

    def rss(self, county_code: str) -> dict[str, str]:
        return self.header(Role.rss, county_code=county_code)

    def organiser(self, organisation_number: str) -> dict[str, str]:
        return self.header(Role.organiser, organisation_number=organisation_number)


@pytest.fixture
def tokens(test_run: DatabaseRun) -> Tokens:
    """Bearer headers for each role, signed with the run's key."""
    return Tokens(test_run)


def asgi_client(app: FastAPI, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=base_url
    )


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
