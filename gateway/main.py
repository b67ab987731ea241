"""The gateway: the one public entry, routing on the first path segment."""

from __future__ import annotations

import asyncio
import importlib.util
import math
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from common.app import AppInfo, build_app, check_database
from common.auth import KeySet
from common.db import database_lifespan
from common.openapi import bilingual
from common.settings import app_database_url
from common.version import __version__
from gateway import proxy
from gateway.buckets import make_rate_limits
from gateway.clients.router import router as clients_router
from gateway.config import Settings, get_settings
from gateway.db import SCHEMA
from gateway.keys import Keyring, SigningKey
from gateway.limits import BodyLimits, GatewayGuard
from gateway.openapi import MergedOpenAPI
from gateway.tokens.router import router as tokens_router
from gateway.upstream import Busy, NoAnswer, Unreachable, Upstream, make_upstreams

INFO = AppInfo(
    name="gateway",
    at_root=True,
    title="Kvinnofridsplattformen / Kvinnofrid platform API",
    version=__version__,
    description=bilingual(
        "Plattformen för överenskommelsen mellan regeringen och SKR om stöd till jämställdhet "
        "och kvinnofrid 2018–2020: finansiering i öre, länens mål och rapporter, och "
        "utvärderingen av Mentors in Violence Prevention i skolor.",
        "The platform of the agreement between the Government and SKR on gender equality and "
        "kvinnofrid 2018–2020: funding to the öre, the counties' goals and reports, and the "
        "evaluation of Mentors in Violence Prevention in schools.",
    ),
)


def _package_dir(name: str) -> Path:
    """Where an installed package lives (fastapi-offline ships the docs' static files)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{name} is not installed; it is in the lock (make install).")
    return Path(spec.origin).parent


SWAGGER_STATIC = _package_dir("fastapi_offline") / "static"
docs_router = APIRouter(include_in_schema=False)


@docs_router.get("/openapi.json")
async def openapi_document(request: Request) -> JSONResponse:
    """The merged document of the gateway and every service."""
    merged: MergedOpenAPI = request.app.state.merged_openapi
    return JSONResponse(await merged.document(request.app))


@docs_router.get("/docs")
async def docs() -> HTMLResponse:
    """Interactive documentation of the merged document, with no asset from outside."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=INFO.title,
        swagger_js_url="/docs/static/swagger-ui-bundle.js",
        swagger_css_url="/docs/static/swagger-ui.css",
        swagger_favicon_url="/docs/static/favicon.png",
    )


async def _upstream_ready(upstream: Upstream, seconds: float) -> bool:
    try:
        status, _ = await upstream.get("/health/ready", seconds=seconds)
    except (Busy, Unreachable, NoAnswer):
        return False
    return status == 200


def _readiness(settings: Settings) -> dict[str, Any]:
    async def upstreams(app: FastAPI) -> bool:
        clients = app.state.upstreams.values()
        results = await asyncio.gather(
            *(_upstream_ready(client, settings.ready_timeout) for client in clients)
        )
        return all(results)

    return {"database": check_database, "upstreams": upstreams}


def make_keyring(settings: Settings) -> Keyring:
    """Signing keys from settings (PEM) when given, else from the keyring file."""
    if settings.signing_key is not None:
        keys = [SigningKey.from_pem(settings.signing_key.get_secret_value())]
        if settings.previous_signing_key is not None:
            keys.append(SigningKey.from_pem(settings.previous_signing_key.get_secret_value()))
        return Keyring(keys=keys)
    return Keyring(path=settings.keyring_path())


def _middleware(settings: Settings, keys: KeySet) -> list[tuple[Any, dict[str, Any]]]:
    limits = BodyLimits(
        json_bytes=settings.max_json_bytes,
        upload_bytes=settings.max_upload_bytes,
        upload_paths=tuple(re.compile(pattern) for pattern in settings.upload_paths),
    )
    buckets = make_rate_limits(
        settings.rate_limit_store, settings.rate_limit_per_second, settings.rate_limit_burst
    )
    # Innermost first: requests for a service leave at ProxyDispatch, after the guard.
    stack: list[tuple[Any, dict[str, Any]]] = [
        (proxy.ProxyDispatch, {}),
        (GatewayGuard, {"keys": keys, "buckets": buckets, "limits": limits}),
    ]
    if settings.cors_origins:
        stack.append(
            (
                CORSMiddleware,
                {
                    "allow_origins": settings.cors_origins,
                    "allow_methods": proxy.METHODS,
                    "allow_headers": [
                        "Authorization",
                        "Content-Type",
                        "Idempotency-Key",
                        "If-Match",
                        "X-Request-ID",
                        "traceparent",
                    ],
                    "expose_headers": [
                        "X-Request-ID",
                        "ETag",
                        "Idempotent-Replayed",
                        "Retry-After",
                        "traceparent",
                    ],
                },
            )
        )
    return stack


class KeyringKeys(KeySet):
    """The gateway's own keys: parsed again only when its keyring changes (which it checks
    once a second), so a dropped key stops verifying within a second and a check costs no
    parsing."""

    def __init__(self, keyring: Keyring) -> None:
        async def document() -> dict[str, Any]:
            return keyring.jwks()

        super().__init__(document, ttl_seconds=math.inf, min_refresh=0, stale_limit=math.inf)
        self.keyring = keyring
        self._generation = -1

    async def key(self, kid: str) -> Any:
        generation = self.keyring.current_generation()
        if generation != self._generation:
            self._generation = generation
            self.expire()
        return await super().key(kid)


def create_app(
    settings: Settings | None = None,
    *,
    transports: dict[str, httpx.AsyncBaseTransport] | None = None,
    keyring: Keyring | None = None,
) -> FastAPI:
    """The gateway; `transports` lets tests put in-process services behind it."""
    settings = settings or get_settings()
    keyring = keyring or make_keyring(settings)

    keys = KeyringKeys(keyring)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.upstreams = make_upstreams(settings, transports)
        app.state.merged_openapi = MergedOpenAPI(settings.openapi_cache_seconds)
        url = app_database_url(settings, SCHEMA)
        try:
            async with database_lifespan(app, url, pool_size=settings.db_pool_size):
                yield
        finally:
            await asyncio.gather(*(c.aclose() for c in app.state.upstreams.values()))

    app = build_app(
        INFO,
        lifespan=lifespan,
        routers=[tokens_router, clients_router, docs_router],
        readiness=_readiness(settings),
        openapi_url=None,
        keys=keys,
        middleware=_middleware(settings, keys),
    )
    app.state.settings = settings
    app.state.keyring = keyring
    # Swagger UI's own files, from a wheel: the docs render on a machine with no internet.
    app.mount("/docs/static", StaticFiles(directory=SWAGGER_STATIC), name="docs-static")
    return app
