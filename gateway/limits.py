"""Abuse limits at the gateway: a token check, a rate limit per client, body size limits.

Plain ASGI, inside the request-context middleware so that every refusal carries a request id.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.auth import KeySet, verify_token
from common.problems import AppError, problem_response

_EXEMPT = ("/health/", "/metrics")


class TokenBuckets:
    """One token bucket per client: `rate` per second, up to `burst` at once."""

    def __init__(self, rate: float, burst: int, max_clients: int = 10_000) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> float:
        """0 when the request may pass; otherwise the seconds until it may."""
        now = time.monotonic()
        tokens, last = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self._buckets[client] = (tokens - 1, now)
            wait = 0.0
        else:
            self._buckets[client] = (tokens, now)
            wait = (1 - tokens) / self.rate
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class BodyLimits:
    json_bytes: int
    upload_bytes: int
    upload_paths: tuple[re.Pattern[str], ...]

    def for_path(self, path: str) -> int:
        if any(pattern.match(path) for pattern in self.upload_paths):
            return self.upload_bytes
        return self.json_bytes


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class GatewayGuard:
    """Refuses bad tokens (401), too many requests per client (429) and bodies over the limit
    (413) before anything reaches a service."""

    def __init__(
        self, app: ASGIApp, *, keys: KeySet, buckets: TokenBuckets, limits: BodyLimits
    ) -> None:
        self.app = app
        self.keys = keys
        self.buckets = buckets
        self.limits = limits

    async def _identity(self, scope: Scope) -> str:
        authorization = _header(scope, b"authorization") or ""
        if authorization[:7].lower() == "bearer ":
            principal = await verify_token(authorization[7:].strip(), self.keys)
            return f"client:{principal.client_id}"
        client = scope.get("client")
        return f"ip:{client[0] if client else 'unknown'}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(_EXEMPT):
            await self.app(scope, receive, send)
            return
        try:
            identity = await self._identity(scope)
        except AppError as error:
            response = problem_response(
                error.status,
                detail=error.detail,
                problem_type=error.problem_type,
                instance=path,
                headers=error.headers,
            )
            await response(scope, receive, send)
            return
        wait = self.buckets.take(identity)
        if wait > 0:
            response = problem_response(
                429,
                detail="Too many requests; slow down.",
                instance=path,
                headers={"Retry-After": str(max(1, round(wait + 0.5)))},
            )
            await response(scope, receive, send)
            return
        await self._limited(scope, receive, send, self.limits.for_path(path))

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        declared = _header(scope, b"content-length")
        too_large = problem_response(
            413,
            detail=f"The body is larger than this route accepts ({limit} bytes).",
            instance=scope.get("path"),
        )
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await too_large(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await too_large(scope, receive, send)
