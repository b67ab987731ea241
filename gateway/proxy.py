"""The reverse proxy: bodies streamed both ways to the upstream clients of `gateway.upstream`,
in plain ASGI in front of the gateway's own routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from common.context import current_request_id, current_traceparent
from common.problems import problem_response
from gateway.upstream import Busy, NoAnswer, Unreachable, Upstream

logger = logging.getLogger("kvf.gateway.proxy")

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
"""The methods the services take (what CORS allows)."""


_HOP_BY_HOP = frozenset(name.encode() for name in HOP_BY_HOP)
_REPLACED_RAW = frozenset(name.encode() for name in _REPLACED) | {b"traceparent"}
_CONTEXT = frozenset({b"x-request-id", b"traceparent"})


def _without(raw: list[tuple[bytes, bytes]], extra: frozenset[bytes]) -> list[tuple[bytes, bytes]]:
    """`raw` less hop-by-hop headers, the ones `Connection` names, and `extra` (names in
    lower case); every other header as the bytes it came as."""
    dropped = _HOP_BY_HOP | extra
    named = [value for key, value in raw if key.lower() == b"connection"]
    if named:
        dropped = dropped | {
            token.strip().lower().encode("latin-1")
            for value in named
            for token in value.decode("latin-1").split(",")
        }
    return [(key, value) for key, value in raw if key.lower() not in dropped]


def _first(raw: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    return next((value.decode("latin-1") for key, value in raw if key == name), None)


def request_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The client's headers less hop-by-hop ones, plus X-Forwarded-*, request id and trace.
    The client's own are passed on as the bytes they came as (a value need not be ASCII)."""
    raw: list[tuple[bytes, bytes]] = scope["headers"]
    headers = _without(raw, _REPLACED_RAW)
    added: list[tuple[str, str]] = []
    client = scope.get("client")
    prior = _first(raw, b"x-forwarded-for")
    forwarded_for = ", ".join(part for part in (prior, client[0] if client else None) if part)
    if forwarded_for:
        added.append(("x-forwarded-for", forwarded_for))
    added.append(("x-forwarded-proto", scope.get("scheme", "http")))
    host = _first(raw, b"host")
    if host is not None:
        added.append(("x-forwarded-host", host))
    added.append(("x-request-id", current_request_id() or ""))
    added.append(("traceparent", current_traceparent() or ""))
    return headers + [(k.encode("latin-1"), v.encode("latin-1")) for k, v in added]


def response_headers(raw: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The upstream's headers less hop-by-hop ones (request id and trace are set again).
    Multi-valued ones (Set-Cookie, Vary) keep every value, and every value its bytes."""
    return _without(raw, _CONTEXT)


def _has_body(scope: Scope) -> bool:
    raw: list[tuple[bytes, bytes]] = scope["headers"]
    length = _first(raw, b"content-length")
    return _first(raw, b"transfer-encoding") is not None or (length is not None and length != "0")


async def _body(receive: Receive) -> AsyncIterator[bytes]:
    """The request's body as it arrives; a client that goes away ends it (ClientDisconnect)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


def _target(scope: Scope) -> str:
    """The path as the client sent it (raw, so encoded characters stay), with its query."""
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
    query: bytes = scope.get("query_string", b"")
    return (raw_path + (b"?" + query if query else b"")).decode("latin-1")


async def forward(
    scope: Scope, receive: Receive, send: Send, name: str, upstream: Upstream
) -> None:
    """Pass one request to the upstream `name` and its answer back, streaming both ways."""
    try:
        answer = await upstream.send(
            scope["method"],
            _target(scope),
            request_headers(scope),
            _body(receive) if _has_body(scope) else None,
        )
    except ClientDisconnect:
        logger.info("client left during its upload", extra={"upstream": name})
        return
    except (Busy, Unreachable, NoAnswer) as exc:
        await _refusal(exc, name, scope["path"])(scope, receive, send)
        return
    try:
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": response_headers(answer.headers),
            }
        )
        async for chunk in answer.body:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        await answer.close()


def _refusal(exc: Exception, name: str, path: str) -> Response:
    """The problem for an upstream that could not be asked or did not answer."""
    if isinstance(exc, Busy):
        detail = f"The {name} service is busy; nothing was sent to it, so retrying is safe."
        return problem_response(504, detail=detail, instance=path)
    if isinstance(exc, NoAnswer):
        return problem_response(
            504, detail=f"The {name} service did not answer in time.", instance=path
        )
    return problem_response(
        503,
        detail=f"The {name} service is not reachable; try again shortly.",
        instance=path,
        headers={"Retry-After": "5"},
    )


@dataclass(frozen=True)
class _ProxyRoute:
    """What the request is counted under in the metrics (a route template, never a path)."""

    path: str = "/{upstream}/{path:path}"


PROXY_ROUTE = _ProxyRoute()


def upstream_of(scope: Scope) -> tuple[str, Upstream] | None:
    """The upstream named by the path's first segment, if there is one."""
    path: str = scope.get("path", "")
    name, slash, _ = path[1:].partition("/")
    if not slash:
        return None
    upstreams: dict[str, Upstream] = getattr(scope["app"].state, "upstreams", {})
    upstream = upstreams.get(name)
    return (name, upstream) if upstream is not None else None


class ProxyDispatch:
    """Requests for a service go straight to it, after the gateway's own checks but without
    FastAPI's routing, dependency resolution or a streaming response's task group: the
    gateway's own cost per request is what every call through it pays. A method the service
    does not take is its 405. Anything else (the gateway's own routes, a first segment no
    service answers under) goes on to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = upstream_of(scope) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = PROXY_ROUTE
        await forward(scope, receive, send, *found)
