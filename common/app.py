"""The parts every app has: health, api-info, metrics, problems, request context."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict
from pydantic_settings import BaseSettings
from sqlalchemy import MetaData
from starlette.types import Lifespan

from common.auth import AnyRoleDep, KeySet, http_key_fetcher
from common.db import database_lifespan, database_reachable
from common.input import InputGuard, known_query_parameters
from common.metrics import CONTENT_TYPE_LATEST, Metrics
from common.middleware import RequestContextMiddleware
from common.openapi import CONTACT, build_openapi
from common.problems import install_problem_handlers, problem_response, problem_responses
from common.settings import AppSettings, app_database_url, get_platform_settings

ReadinessCheck = Callable[[FastAPI], Awaitable[bool]]


@dataclass(frozen=True)
class AppInfo:
    """Who an app is: its name (first path segment), title, version and description."""

    name: str
    title: str
    version: str
    description: str
    at_root: bool = False
    """Whether the app is the platform's front door and answers `/api-info` too."""

    @property
    def prefix(self) -> str:
        return f"/{self.name}/v1"


class ApiInfo(BaseModel):
    """What an API is and where its documentation lives."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "funding",
                    "title": "Kvinnofrid finansiering / funding",
                    "version": "0.1.0",
                    "contact": {"name": "SKR, Kvinnofridssatsningen"},
                    "documentation": "/docs",
                    "openapi": "/openapi.json",
                }
            ]
        }
    )

    name: str
    title: str
    version: str
    contact: dict[str, str]
    documentation: str
    openapi: str


class PrincipalRead(BaseModel):
    """The verified caller."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client_id": "kvf_3f9a1c2b7d4e5f60",
                    "role": "rss",
                    "county_code": "14",
                    "organisation_number": None,
                }
            ]
        }
    )
    client_id: str
    role: str
    county_code: str | None
    organisation_number: str | None


class Liveness(BaseModel):
    """The process answers."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "live"}]})
    status: str


class Readiness(BaseModel):
    """Every dependency answers."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "ready", "checks": {"database": True}}]}
    )
    status: str
    checks: dict[str, bool]


async def check_database(app: FastAPI) -> bool:
    return await database_reachable(app.state.engine)


def _health_router(checks: dict[str, ReadinessCheck]) -> APIRouter:
    router = APIRouter()

    @router.get("/health/live", tags=["health"], summary="Liveness / Processen svarar")
    async def live() -> Liveness:
        """Answers while the process runs; it touches nothing else."""
        return Liveness(status="live")

    @router.get(
        "/health/ready",
        tags=["health"],
        summary="Readiness / Redo att ta emot anrop",
        responses={503: {"description": "A dependency does not answer."}},
    )
    async def ready(request: Request) -> Any:
        """Ready when every dependency answers: the database, and for the gateway each upstream."""
        names = list(checks)
        results = await asyncio.gather(*(checks[name](request.app) for name in names))
        outcome = dict(zip(names, results, strict=True))
        if all(results):
            return Readiness(status="ready", checks=outcome)
        failing = ", ".join(name for name, ok in outcome.items() if not ok)
        return problem_response(
            503,
            detail=f"Not ready: {failing} not reachable.",
            instance="/health/ready",
            checks=outcome,
        )

    return router


def _info_router(info: AppInfo) -> APIRouter:
    router = APIRouter()

    async def api_info() -> ApiInfo:
        """Name, version, contact and where the documentation is."""
        return ApiInfo(
            name=info.name,
            title=info.title,
            version=info.version,
            contact=CONTACT,
            documentation="/docs",
            openapi="/openapi.json",
        )

    paths = {f"{info.prefix}/api-info": "api_info"}
    if info.at_root:
        paths["/api-info"] = "api_info_at_root"
    for path, name in paths.items():
        router.add_api_route(
            path,
            api_info,
            name=name,
            methods=["GET"],
            tags=["api-info"],
            summary="About this API / Om API:et",
        )

    @router.get(
        f"{info.prefix}/me",
        tags=["api-info"],
        summary="Who am I / Vem är jag",
        responses=problem_responses(401, 403),
    )
    async def me(principal: AnyRoleDep) -> PrincipalRead:
        """The caller as this service sees it, from its verified token: role and scope."""
        return PrincipalRead(
            client_id=principal.client_id,
            role=principal.role.value,
            county_code=principal.county_code,
            organisation_number=principal.organisation_number,
        )

    return router


def _metrics_router() -> APIRouter:
    router = APIRouter()

    @router.get(
        "/metrics",
        tags=["health"],
        summary="Prometheus metrics / Mätvärden",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Metrics"}},
    )
    async def metrics(request: Request) -> Response:
        """Request counts and durations by route template, in Prometheus text format."""
        return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return router


def build_app(
    info: AppInfo,
    *,
    lifespan: Lifespan[FastAPI],
    routers: Sequence[APIRouter] = (),
    readiness: dict[str, ReadinessCheck] | None = None,
    openapi_url: str | None = "/openapi.json",
    keys: KeySet | None = None,
    middleware: Sequence[tuple[Any, dict[str, Any]]] = (),
) -> FastAPI:
    """An app with the platform's common parts, and the given domain routers."""
    app = FastAPI(
        title=info.title,
        version=info.version,
        lifespan=lifespan,
        docs_url="/docs" if openapi_url else None,
        redoc_url=None,
        openapi_url=openapi_url,
        generate_unique_id_function=lambda route: f"{info.name.replace('-', '_')}_{route.name}",
        # Trace context, metrics and logs are the platform's own (`common.middleware`); FastAPI's
        # OpenTelemetry hooks would only ask, on every request, whether a provider was set.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.info = info
    app.state.keys = keys or KeySet(http_key_fetcher(get_platform_settings().jwks_url))
    app.state.metrics = Metrics(info.name)
    install_problem_handlers(app)
    for router in [
        _health_router(readiness or {"database": check_database}),
        _info_router(info),
        _metrics_router(),
        *routers,
    ]:
        app.include_router(router, dependencies=[Depends(known_query_parameters)])
    # Innermost: what no route can take is refused after the gateway's own limits.
    app.add_middleware(InputGuard)
    for middleware_class, options in middleware:
        app.add_middleware(middleware_class, **options)
    # Outermost: every response, refusals included, carries the request id and is counted.
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)

    def openapi() -> dict[str, Any]:
        return build_openapi(app, description=info.description)

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
    return app


def service_app(
    info: AppInfo,
    *,
    settings: AppSettings,
    metadata: MetaData,
    routers: Sequence[APIRouter],
    keys: KeySet | None = None,
) -> FastAPI:
    """A domain service: the platform's parts, its routers under `/<name>/v1`, its settings
    on the app, and a lifespan owning one engine that connects as the service's own role to
    the schema of `metadata` (whose `idempotency_key` table holds the service's keys)."""
    schema = metadata.schema
    assert schema is not None, "a service's metadata names its schema"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = app_database_url(settings, schema)
        async with database_lifespan(app, url, pool_size=settings.db_pool_size):
            yield

    api = APIRouter(prefix=info.prefix)
    for router in routers:
        api.include_router(router)
    app = build_app(info, lifespan=lifespan, routers=[api], keys=keys)
    app.state.settings = settings
    app.state.idempotency_table = metadata.tables[f"{schema}.idempotency_key"]
    return app


S = TypeVar("S", bound=BaseSettings)
A = TypeVar("A", bound=AppSettings)


class ServiceFactory(Generic[A]):
    """A service's `create_app`: `create_app()` with the environment's settings, or
    `create_app(settings, keys=...)` as the tests make it."""

    def __init__(
        self,
        info: AppInfo,
        *,
        get_settings: Callable[[], A],
        metadata: MetaData,
        routers: Sequence[APIRouter],
    ) -> None:
        self.info = info
        self.get_settings = get_settings
        self.metadata = metadata
        self.routers = routers

    def __call__(self, settings: A | None = None, *, keys: KeySet | None = None) -> FastAPI:
        return service_app(
            self.info,
            settings=settings or self.get_settings(),
            metadata=self.metadata,
            routers=self.routers,
            keys=keys,
        )


def settings_of(cls: type[S]) -> Callable[[Request], S]:
    """A dependency giving the app's settings (`app.state.settings`) as `cls`:
    `SettingsDep = Annotated[Settings, Depends(settings_of(Settings))]`."""

    def app_settings(request: Request) -> S:
        settings = request.app.state.settings
        assert isinstance(settings, cls)
        return settings

    return app_settings
