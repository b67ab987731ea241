"""What every test shares beside its fixtures: apps started in-process on the test's database,
tokens for each role, a client of an app, a reader of what a schema holds, free ports, and a
sample app made with `build_app`."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated, Any

import httpx
import jwt
from fastapi import APIRouter, FastAPI, Path
from pydantic_settings import BaseSettings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from starlette.types import ASGIApp

from common.app import AppInfo, build_app
from common.auth import KeySet, Role
from common.pagination import PageDep
from common.settings import AppSettings
from gateway.clients.models import ApiClient
from gateway.clients.service import issue_token
from gateway.config import Settings as GatewaySettings
from gateway.keys import Keyring
from gateway.main import create_app as create_gateway
from services.funding.config import Settings as FundingSettings
from services.funding.main import create_app as create_funding
from services.goals.config import Settings as GoalsSettings
from services.goals.main import create_app as create_goals
from services.mvp_evaluation.config import Settings as MvpSettings
from services.mvp_evaluation.main import create_app as create_mvp
from tests.database import DatabaseRun

SERVICE_FACTORIES: dict[str, tuple[Callable[..., FastAPI], type[AppSettings], str]] = {
    "funding": (create_funding, FundingSettings, "funding"),
    "goals": (create_goals, GoalsSettings, "goals"),
    "mvp-evaluation": (create_mvp, MvpSettings, "mvp_evaluation"),
}


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
    options: dict[str, Any] = {"database_url": None, **overrides}
    settings = settings_class(
        platform=run.platform(database), db_password=run.passwords[schema], **options
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
    extra_claims: dict[str, Any] | None = None,
) -> str:
    """A token as the gateway issues it, for a client that need not exist in the database;
    `extra_claims` replace claims of it, still validly signed (a forged scope)."""
    client = ApiClient(
        client_id=client_id or f"kvf_test_{secrets.token_hex(4)}",
        role=Role(role).value,
        county_code=county_code,
        organisation_number=organisation_number,
    )
    token = issue_token(client, keyring=Keyring(keys=[run.signing_key]), ttl=ttl)
    if not extra_claims:
        return token
    claims = {**jwt.decode(token, options={"verify_signature": False}), **extra_claims}
    key = run.signing_key
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


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


def asgi_client(app: FastAPI, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=base_url
    )


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


def refused(response: httpx.Response, status: int, problem_type: str) -> dict[str, Any]:
    """The problem of a response that must be refused with `status` and `problem_type`."""
    problem = expect(response, status)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["type"] == problem_type, problem
    return problem


@asynccontextmanager
async def unchanged(schema: Schema) -> AsyncIterator[None]:
    """The block must leave every table of the schema as it found it."""
    before = await schema.counts()
    yield
    assert await schema.counts() == before


def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    """The JSON object of a response that must have `status` (its body shown if not)."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


class Schema:
    """What one service's schema holds, read directly as the database owner: the state a
    request left behind ("nothing changed" is `await schema.counts()` before and after)."""

    def __init__(self, test_run: DatabaseRun, database: str, schema: str) -> None:
        self.url = test_run.owner_url(database)
        self.schema = schema

    async def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        """The rows of one query (`:name` parameters)."""
        engine = create_async_engine(self.url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                result = await connection.execute(text(sql), params)
                return [tuple(row) for row in result]
        finally:
            await engine.dispose()

    async def count(self, table: str) -> int:
        rows = await self.rows(f'SELECT count(*) FROM {self.schema}."{table}"')  # noqa: S608  # test-owned names
        count: int = rows[0][0]
        return count

    async def counts(self) -> dict[str, int]:
        """Rows in every table of the schema but Alembic's version table."""
        names = await self.rows(
            "SELECT tablename FROM pg_tables WHERE schemaname = :schema "
            "AND tablename <> 'alembic_version' ORDER BY tablename",
            schema=self.schema,
        )
        return {name: await self.count(name) for (name,) in names}


HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of every operation of an OpenAPI document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


async def patiently(
    send: Callable[[], Awaitable[httpx.Response]], *, deadline: float = 120.0
) -> httpx.Response:
    """Send, and send again after `Retry-After` while the answer is 429 or 503 (too many
    requests, overloaded), for at most `deadline` seconds: a client as the API asks clients
    to be. The request must be one that may be repeated (the same Idempotency-Key)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + deadline
    while True:
        response = await send()
        if response.status_code not in (429, 503) or loop.time() > give_up:
            return response
        await asyncio.sleep(float(response.headers.get("retry-after", "1")))


def env_names(settings: type[BaseSettings], prefix: str) -> set[str]:
    """The environment variables a settings class reads."""
    names = set()
    for name, field in settings.model_fields.items():
        if name == "platform":
            continue
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"{prefix}{name.upper()}")
    return names
