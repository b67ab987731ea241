"""Token verification and access rules, the same in every app.

Each app verifies the gateway's JWTs itself against the gateway's JWKS (cached, refetched when
a token names an unknown key), so a service reached directly is as closed as through the
gateway. A route declares the roles it allows with `Allow(...)`; object-level checks are the
`visible_*` and `writable_*` helpers, which every service calls on every object.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.problems import Forbidden, NotFound, Unauthorized

ALGORITHMS = ["EdDSA"]
ISSUER = "kvinnofrid-gateway"
AUDIENCE = "kvinnofrid"


class Role(StrEnum):
    admin = "admin"
    rss = "rss"
    organiser = "organiser"
    evaluator = "evaluator"
    reader = "reader"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the client, its role, and its county or organisation if it has one."""

    client_id: str
    role: Role
    county_code: str | None = None
    organisation_number: str | None = None
    token_id: str | None = None


class InvalidToken(Unauthorized):
    problem_type = "invalid-token"


def _unauthorized(detail: str) -> InvalidToken:
    return InvalidToken(
        detail, headers={"WWW-Authenticate": 'Bearer realm="kvinnofrid", error="invalid_token"'}
    )


KeyFetcher = Callable[[], Awaitable[dict[str, Any]]]


class KeySet:
    """The gateway's public keys by `kid`, fetched when needed and at most once a second."""

    def __init__(self, fetch: KeyFetcher, *, ttl_seconds: float = 300, min_refresh: float = 1):
        self._fetch = fetch
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._ttl = ttl_seconds
        self._min_refresh = min_refresh
        self._lock = asyncio.Lock()

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < self._min_refresh:
                return
            document = await self._fetch()
            keys = jwt.PyJWKSet.from_dict(document).keys
            self._keys = {key.key_id: key.key for key in keys if key.key_id}
            self._fetched_at = time.monotonic()

    async def key(self, kid: str) -> Any:
        stale = time.monotonic() - self._fetched_at > self._ttl
        if kid not in self._keys or stale:
            try:
                await self._refresh()
            except (httpx.HTTPError, jwt.PyJWKSetError, ValueError) as exc:
                if kid not in self._keys:
                    raise _unauthorized("The signing keys could not be fetched.") from exc
        if kid not in self._keys:
            raise _unauthorized("The token is signed with an unknown key.")
        return self._keys[kid]


def http_key_fetcher(url: str, transport: httpx.AsyncBaseTransport | None = None) -> KeyFetcher:
    """Fetch the JWKS document from the gateway."""

    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(transport=transport, timeout=5.0) as client:
            response = await client.get(url)
            response.raise_for_status()
            document: dict[str, Any] = response.json()
            return document

    return fetch


async def verify_token(token: str, keys: KeySet) -> Principal:
    """The principal of a valid token; 401 for anything else (alg none, HS256, expired ...)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _unauthorized("The token is malformed.") from exc
    if header.get("alg") not in ALGORITHMS:
        raise _unauthorized("The token's algorithm is not accepted.")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise _unauthorized("The token names no key.")
    key = await keys.key(kid)
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=ALGORITHMS,
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "jti", "role"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorized("The token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise _unauthorized("The token is not valid.") from exc
    return _principal(claims)


_TEXT_CLAIMS = ("sub", "role", "jti")
_SCOPE_CLAIMS = ("county_code", "organisation_number")


def _principal(claims: dict[str, Any]) -> Principal:
    """The principal the claims name; a claim of the wrong type is an invalid token."""
    wrong = [name for name in _TEXT_CLAIMS if not isinstance(claims.get(name), str)]
    wrong += [name for name in _SCOPE_CLAIMS if not isinstance(claims.get(name, ""), str)]
    if wrong:
        raise _unauthorized(f"The token's claims {', '.join(wrong)} are not text.")
    try:
        role = Role(claims["role"])
    except ValueError as exc:
        raise _unauthorized("The token's role is unknown.") from exc
    return Principal(
        client_id=claims["sub"],
        role=role,
        county_code=claims.get("county_code"),
        organisation_number=claims.get("organisation_number"),
        token_id=claims["jti"],
    )


bearer = HTTPBearer(auto_error=False, description="A token from POST /auth/v1/token.")


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The verified principal of the request's bearer token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("A bearer token is required.")
    keys: KeySet = request.app.state.keys
    return await verify_token(credentials.credentials, keys)


class Allow:
    """Dependency: the principal, if its role is one of `roles`; else 403.

    `Depends(Allow(Role.admin, Role.rss))`; the roles also appear in the route's OpenAPI text.
    """

    def __init__(self, *roles: Role) -> None:
        self.roles = tuple(roles)

    async def __call__(self, principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in self.roles:
            raise Forbidden(f"The role {principal.role.value} may not do this.")
        return principal


ALL_ROLES = tuple(Role)

AdminDep = Annotated[Principal, Depends(Allow(Role.admin))]
"""Only SKR's project group (admin)."""

AnyRoleDep = Annotated[Principal, Depends(Allow(*ALL_ROLES))]
"""Every role with a valid token."""


def visible_county(principal: Principal, county_code: str, what: str = "object") -> None:
    """Reading an object of a county: an rss principal of another county gets 404."""
    if principal.role is Role.rss and principal.county_code != county_code:
        raise NotFound(f"No such {what}.")


def writable_county(principal: Principal, county_code: str) -> None:
    """Writing for a county: an rss principal may write only for its own (else 403)."""
    if principal.role is Role.rss and principal.county_code != county_code:
        raise Forbidden(
            f"An RSS of county {principal.county_code} may not write for {county_code}."
        )


def visible_organisation(
    principal: Principal, organisation_number: str, what: str = "object"
) -> None:
    """Reading an object of an organiser: another organiser gets 404."""
    if principal.role is Role.organiser and principal.organisation_number != organisation_number:
        raise NotFound(f"No such {what}.")


def writable_organisation(principal: Principal, organisation_number: str) -> None:
    """Writing for an organisation: an organiser may write only for its own (else 403)."""
    if principal.role is Role.organiser and principal.organisation_number != organisation_number:
        raise Forbidden("An organiser may write only for its own organisation.")
