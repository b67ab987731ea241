"""Plain ASGI middleware: request id, trace context, access log, metrics, last-resort 500."""

from __future__ import annotations

import logging
import re
import secrets
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.context import request_id_var, request_path_var, traceparent_var
from common.metrics import Metrics
from common.problems import problem_response

logger = logging.getLogger("kvf.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")
_TRACEPARENT = re.compile(r"^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


_API_CSP = "default-src 'none'; frame-ancestors 'none'"
_DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


def _security_headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """Headers every response carries (OWASP secure headers), unless already set."""
    return _DOCS_SECURITY if path.startswith("/docs") else _API_SECURITY


def _encoded(headers: dict[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((name.lower().encode(), value.encode()) for name, value in headers.items())


_SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cache-Control": "no-store",
}
_API_SECURITY = _encoded({**_SECURITY, "Content-Security-Policy": _API_CSP})
_DOCS_SECURITY = _encoded({**_SECURITY, "Content-Security-Policy": _DOCS_CSP})
_CONTEXT_HEADERS = frozenset({b"x-request-id", b"traceparent"})


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def route_template(scope: Scope) -> str:
    """The matched route's path template; never the raw path (ids would explode the labels)."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestContextMiddleware:
    """Gives each request an id and trace context, logs it, counts it, and catches the rest.

    The id is taken from `X-Request-ID` when it looks like one, otherwise made new; `traceparent`
    (W3C) likewise. Both are returned on the response and are readable through contextvars.
    """

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id, traceparent = _request_context(scope)
        id_token = request_id_var.set(request_id)
        trace_token = traceparent_var.set(traceparent)
        path_token = request_path_var.set(scope.get("path", ""))
        started = time.perf_counter()
        answer = _Answer(send, request_id, traceparent, scope.get("path", ""))
        try:
            await self.app(scope, receive, answer.send)
        except Exception:
            logger.exception("unhandled error", extra={"path": scope.get("path")})
            if answer.started:
                raise
            answer.status = 500
            response = problem_response(
                500,
                detail="An unexpected error occurred; quote the request id when reporting it.",
                instance=scope.get("path"),
            )
            await response(scope, receive, answer.send)
        finally:
            self._observe(scope, answer.status, time.perf_counter() - started)
            request_id_var.reset(id_token)
            traceparent_var.reset(trace_token)
            request_path_var.reset(path_token)

    def _observe(self, scope: Scope, status: int, elapsed: float) -> None:
        route = route_template(scope)
        self.metrics.observe(scope.get("method", ""), route, status, elapsed)
        logger.info(
            "request",
            extra={
                "method": scope.get("method"),
                "route": route,
                "status": status,
                "duration_ms": round(elapsed * 1000, 2),
            },
        )


def _request_context(scope: Scope) -> tuple[str, str]:
    """The request id and traceparent: the client's when well-formed, else new ones."""
    given_id = _header(scope, b"x-request-id")
    request_id = given_id if given_id and _REQUEST_ID.match(given_id) else str(uuid.uuid4())
    given_trace = _header(scope, b"traceparent")
    trace = given_trace if given_trace and _TRACEPARENT.match(given_trace) else None
    return request_id, trace or new_traceparent()


class _Answer:
    """Sends the response with the request's context headers, noting its status."""

    def __init__(self, send: Send, request_id: str, traceparent: str, path: str) -> None:
        self._send = send
        self._request_id = request_id
        self._traceparent = traceparent
        self._path = path
        self.status = 500
        self.started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = message["status"]
            # The raw list, once: this runs for every response, the proxied ones included.
            raw = [
                (name, value)
                for name, value in message.get("headers", ())
                if name.lower() not in _CONTEXT_HEADERS
            ]
            present = {name.lower() for name, _ in raw}
            raw.append((b"x-request-id", self._request_id.encode("latin-1")))
            raw.append((b"traceparent", self._traceparent.encode("latin-1")))
            raw += [item for item in _security_headers(self._path) if item[0] not in present]
            message["headers"] = raw
        await self._send(message)
