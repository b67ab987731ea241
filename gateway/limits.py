"""Abuse limits at the gateway: a token check, a rate limit per client, body size limits.

The rate limits themselves (where the buckets are kept) are in `gateway.buckets`.

Plain ASGI, inside the request-context middleware so that every refusal carries a request id.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.auth import KeySet, verify_token
from common.problems import AppError, problem_response
from gateway.buckets import RateLimits
from gateway.tokens.revocations import revoked_clients

_EXEMPT = ("/health/", "/metrics")


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


def _host(hop: str) -> str:
    """The address of one X-Forwarded-For entry, without a port (`[::1]:80`, `1.2.3.4:80`)."""
    hop = hop.strip()
    if hop.startswith("[") and "]" in hop:
        return hop[1 : hop.index("]")]
    if hop.count(":") == 1:
        return hop.split(":", 1)[0]
    return hop


class TrustedProxies:
    """The proxies in front of the gateway (addresses or networks) whose X-Forwarded-For or
    X-Real-IP name the client. The rule is uvicorn's (`forwarded_allow_ips`), which `kvf
    serve` gives the same list: from a trusted peer, the client is the nearest address in
    X-Forwarded-For that is not itself a trusted proxy; from any other peer, the peer."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks = tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)

    def __contains__(self, host: str) -> bool:
        if not self.networks:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def client_address(self, scope: Scope) -> str:
        """The address of the request's client, as far as the trusted proxies say."""
        peer = scope.get("client")
        host = str(peer[0]) if peer else "unknown"
        if host not in self:
            return host
        forwarded = [
            _host(hop)
            for key, value in scope.get("headers", [])
            if key == b"x-forwarded-for"
            for hop in value.decode("latin-1").split(",")
        ]
        forwarded = [hop for hop in forwarded if hop]
        for hop in reversed(forwarded):
            if hop not in self:
                return hop[:64]
        if forwarded:
            return forwarded[0][:64]  # every hop a trusted proxy: the first is the client
        real = (_header(scope, b"x-real-ip") or "").strip()
        return real[:64] or host


def trusted_proxies(scope: Scope) -> TrustedProxies:
    """The gateway's trusted proxies (its `trusted_proxies` setting), read once per app."""
    state = scope["app"].state
    proxies: TrustedProxies | None = getattr(state, "trusted_proxies", None)
    if proxies is None:
        proxies = state.trusted_proxies = TrustedProxies(state.settings.trusted_proxies)
    return proxies


class GatewayGuard:
    """Refuses bad tokens and revoked clients' tokens (401), too many requests per client or
    per address (429) and bodies over the limit (413) before anything reaches a service."""

    def __init__(
        self, app: ASGIApp, *, keys: KeySet, buckets: RateLimits, limits: BodyLimits
    ) -> None:
        self.app = app
        self.keys = keys
        self.buckets = buckets
        self.limits = limits

    async def _identity(self, scope: Scope) -> tuple[str, int | None]:
        """Whose bucket the request takes from, and that client's own rate limit if any."""
        authorization = _header(scope, b"authorization") or ""
        if authorization[:7].lower() == "bearer ":
            revoked = await revoked_clients(scope["app"])
            principal = await verify_token(authorization[7:].strip(), self.keys, revoked=revoked)
            return f"client:{principal.client_id}", principal.rate_limit
        return f"ip:{trusted_proxies(scope).client_address(scope)}", None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(_EXEMPT):
            await self.app(scope, receive, send)
            return
        try:
            identity, rate = await self._identity(scope)
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
        wait = await self.buckets.admit(identity, scope["app"], rate)
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
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(limit, scope)(scope, receive, send)
            return
        if declared in (None, "0") and _header(scope, b"transfer-encoding") is None:
            await self.app(scope, receive, send)  # no body: nothing to count
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
            await _too_large(limit, scope)(scope, receive, send)


def _too_large(limit: int, scope: Scope) -> Response:
    return problem_response(
        413,
        detail=f"The body is larger than this route accepts ({limit} bytes).",
        instance=scope.get("path"),
    )
