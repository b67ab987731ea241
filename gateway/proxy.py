"""The reverse proxy: one pooled client per upstream, bodies streamed both ways."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse
from starlette.routing import Match
from starlette.types import Scope

from common.context import current_request_id, current_traceparent
from common.problems import NotFound, problem_response
from gateway.config import Settings

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Set by the gateway itself, never passed on as the client sent them.
_REPLACED = frozenset(
    {"host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id"}
)
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def make_upstream_clients(
    settings: Settings, transports: dict[str, httpx.AsyncBaseTransport] | None = None
) -> dict[str, httpx.AsyncClient]:
    """One pooled client per upstream; POSTs are never retried (retries=0)."""
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.write_timeout,
        pool=settings.pool_timeout,
    )
    # Every connection is kept alive: under load a pool that closes half of them after each
    # burst only opens them again.
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
    )
    transports = transports or {}
    return {
        name: httpx.AsyncClient(
            base_url=url,
            timeout=timeout,
            transport=transports.get(name) or httpx.AsyncHTTPTransport(retries=0, limits=limits),
            follow_redirects=False,
        )
        for name, url in settings.upstreams.items()
    }


def _dropped(headers: httpx.Headers | list[tuple[str, str]], extra: frozenset[str]) -> set[str]:
    items = headers.multi_items() if isinstance(headers, httpx.Headers) else headers
    named = {
        token.strip().lower()
        for key, value in items
        if key.lower() == "connection"
        for token in value.split(",")
    }
    return set(HOP_BY_HOP | extra) | named


def request_headers(request: Request) -> list[tuple[bytes, bytes]]:
    """The client's headers less hop-by-hop ones, plus X-Forwarded-*, request id and trace.
    The client's own are passed on as the bytes they came as (a value need not be ASCII)."""
    dropped = _dropped(request.headers.items(), _REPLACED | {"traceparent"})
    headers = [(k, v) for k, v in request.headers.raw if k.decode("latin-1").lower() not in dropped]
    added: list[tuple[str, str]] = []
    client_host = request.client.host if request.client else None
    prior = request.headers.get("x-forwarded-for")
    forwarded_for = ", ".join(part for part in (prior, client_host) if part)
    if forwarded_for:
        added.append(("x-forwarded-for", forwarded_for))
    added.append(("x-forwarded-proto", request.url.scheme))
    if "host" in request.headers:
        added.append(("x-forwarded-host", request.headers["host"]))
    added.append(("x-request-id", current_request_id() or ""))
    added.append(("traceparent", current_traceparent() or ""))
    return headers + [(k.encode("latin-1"), v.encode("latin-1")) for k, v in added]


def response_headers(headers: httpx.Headers) -> list[tuple[str, str]]:
    """The upstream's headers less hop-by-hop ones (request id and trace are set again)."""
    dropped = _dropped(headers, frozenset({"x-request-id", "traceparent"}))
    return [(key, value) for key, value in headers.multi_items() if key.lower() not in dropped]


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length != "0")


class UpstreamRoute(APIRoute):
    """Matches only paths whose first segment is in the route table.

    Any other path falls through to the routes after the proxy (the docs' static files) or to
    the router's 404 and 405, instead of being claimed by the catch-all.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is Match.NONE:
            return match, child_scope
        upstream = child_scope.get("path_params", {}).get("upstream")
        app = scope.get("app")
        known = getattr(getattr(app, "state", None), "upstreams", {})
        return (match, child_scope) if upstream in known else (Match.NONE, {})


router = APIRouter(route_class=UpstreamRoute)


@router.api_route("/{upstream}/{path:path}", methods=METHODS, include_in_schema=False)
async def proxy(request: Request, upstream: str) -> Response:
    """Pass the request to the service named by the first path segment, streaming both ways."""
    client: httpx.AsyncClient | None = request.app.state.upstreams.get(upstream)
    if client is None:
        raise NotFound(f"No service answers under /{upstream}.")
    target = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    if request.url.query:
        target = f"{target}?{request.url.query}"
    outgoing = client.build_request(
        request.method,
        target,
        headers=request_headers(request),
        content=request.stream() if _has_body(request) else None,
    )
    try:
        response = await client.send(outgoing, stream=True)
    except httpx.PoolTimeout:
        # Busy, not down: every connection to it stayed in use for the whole pool timeout.
        return problem_response(
            504,
            detail=f"The {upstream} service is busy; nothing was sent to it, so retrying is safe.",
            instance=request.url.path,
        )
    except httpx.ConnectTimeout:
        return _unavailable(upstream, request)
    except httpx.TimeoutException:
        return problem_response(
            504,
            detail=f"The {upstream} service did not answer in time.",
            instance=request.url.path,
        )
    except httpx.TransportError:
        return _unavailable(upstream, request)
    return _streamed(response)


def _unavailable(upstream: str, request: Request) -> Response:
    return problem_response(
        503,
        detail=f"The {upstream} service is not reachable; try again shortly.",
        instance=request.url.path,
        headers={"Retry-After": "5"},
    )


def _streamed(response: httpx.Response) -> Response:
    streamed = StreamingResponse(
        response.aiter_raw(),
        status_code=response.status_code,
        background=BackgroundTask(response.aclose),
    )
    # Multi-valued headers (Set-Cookie, Vary) must survive, so set the raw list.
    streamed.raw_headers = [
        (key.encode("latin-1"), value.encode("latin-1"))
        for key, value in response_headers(response.headers)
    ]
    return streamed
