"""Token verification and access rules, the same in every app.

Each app verifies the gateway's JWTs itself against the gateway's JWKS, so a service reached
directly is as closed as through the gateway. The JWKS document also lists the clients revoked
within the longest token lifetime; a service refetches it every two seconds (and at once for a
key it does not know), so a dropped key or a revoked client stops working everywhere within
seconds. A route declares the roles it allows with `Allow(...)`; object-level checks are the
`visible_*` and `writable_*` helpers, which every service calls on every object.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.problems import Forbidden, NotFound, Unauthorized
from common.roles import Role as Role  # re-exported: where the services import it from

ALGORITHMS = ["EdDSA"]
ISSUER = "kvinnofrid-gateway"
AUDIENCE = "kvinnofrid"
REVOKED_MEMBER = "revoked_clients"
"""The member of the JWKS document that lists revoked clients (RFC 7517 §5 lets a key set
carry members a reader does not know; OAuth libraries ignore it)."""

logger = logging.getLogger("kvf.auth")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the client, its role, and its county or organisation if it has one."""

    client_id: str
    role: Role
    county_code: str | None = None
    organisation_number: str | None = None
    token_id: str | None = None
    rate_limit: int | None = None  # the client's own requests per second, when it has one


class InvalidToken(Unauthorized):
    problem_type = "invalid-token"


def _unauthorized(detail: str) -> InvalidToken:
    return InvalidToken(
        detail, headers={"WWW-Authenticate": 'Bearer realm="kvinnofrid", error="invalid_token"'}
    )


@dataclass(frozen=True)
class RevokedClients:
    """Revoked client ids and when each was revoked."""

    revoked_at: Mapping[str, datetime] = field(default_factory=dict)

    def refuses(self, client_id: str, issued_at: float) -> bool:
        """Whether a token of the client issued at `issued_at` (its `iat`) is refused: it is
        when the client was revoked at or after that second."""
        revoked = self.revoked_at.get(client_id)
        return revoked is not None and revoked.timestamp() >= issued_at

    def document(self) -> list[dict[str, str]]:
        """The list as the JWKS document carries it: client id and RFC 3339 time."""
        return [
            {"client_id": client_id, "revoked_at": revoked.isoformat()}
            for client_id, revoked in sorted(self.revoked_at.items())
        ]

    @classmethod
    def from_document(cls, items: object) -> RevokedClients:
        """The list a JWKS document carries (absent: none); ValueError when it is malformed."""
        if items is None:
            return cls()
        if not isinstance(items, list):
            raise ValueError(f"{REVOKED_MEMBER} is not a list")
        revoked: dict[str, datetime] = {}
        for item in items:
            client_id = item.get("client_id") if isinstance(item, dict) else None
            when = item.get("revoked_at") if isinstance(item, dict) else None
            if not isinstance(client_id, str) or not isinstance(when, str):
                raise ValueError(f"{REVOKED_MEMBER} holds an entry without client_id, revoked_at")
            parsed = datetime.fromisoformat(when)
            if parsed.tzinfo is None:
                raise ValueError(f"{REVOKED_MEMBER} holds a time without a time zone")
            revoked[client_id] = parsed
        return cls(revoked)


KeyFetcher = Callable[[], Awaitable[dict[str, Any]]]
_FETCH_ERRORS = (httpx.HTTPError, jwt.PyJWKSetError, jwt.PyJWKError, ValueError, TypeError)


class KeySet:
    """The gateway's public keys by `kid` and the clients it revoked, from its JWKS document.

    Refetched when older than `ttl_seconds` (two seconds: a dropped key or a revocation counts
    everywhere within that), and at once for an unknown `kid`; never more than once per
    `min_refresh` seconds after a failed attempt or for unknown kids, so a stream of made-up
    kids costs one fetch a second. While the gateway cannot be reached the last document
    serves for at most `stale_limit` seconds; after that every token is refused.
    Checking a token costs no I/O except that one refresh per cycle.
    """

    def __init__(
        self,
        fetch: KeyFetcher,
        *,
        ttl_seconds: float = 2.0,
        min_refresh: float = 1.0,
        stale_limit: float = 30.0,
    ) -> None:
        self._fetch = fetch
        self._keys: dict[str, Any] = {}
        self._revoked = RevokedClients()
        self._fetched_at = -math.inf
        self._attempted_at = -math.inf
        self._ttl = ttl_seconds
        self._min_refresh = min_refresh
        self._stale_limit = stale_limit
        self._expired = False
        self._lock = asyncio.Lock()
        self.verified = VerifiedTokens()

    @property
    def revoked(self) -> RevokedClients:
        """The revoked clients of the last document fetched."""
        return self._revoked

    def _age(self) -> float:
        return time.monotonic() - self._fetched_at

    def _due(self) -> bool:
        return self._expired or self._age() > self._ttl

    def expire(self) -> None:
        """Fetch the document again before the next check (its source has changed)."""
        self._expired = True

    async def _refresh(self, due: Callable[[], bool]) -> None:
        async with self._lock:
            if not due() or time.monotonic() - self._attempted_at < self._min_refresh:
                return  # another request refreshed meanwhile, or tried and failed just now
            self._attempted_at = time.monotonic()
            document = await self._fetch()
            if not isinstance(document, dict):
                raise ValueError("the key set is not a JSON object")
            keys = jwt.PyJWKSet.from_dict(document).keys
            revoked = RevokedClients.from_document(document.get(REVOKED_MEMBER))
            self._keys = {key.key_id: key.key for key in keys if key.key_id}
            self._revoked = revoked
            self._fetched_at = time.monotonic()
            self._expired = False

    async def key(self, kid: str) -> Any:
        """The public key named `kid`, from a document younger than the refresh cycle."""
        if kid not in self._keys or self._due():
            try:
                await self._refresh(lambda: kid not in self._keys or self._due())
            except _FETCH_ERRORS as exc:
                logger.warning("The key set could not be refreshed: %s", type(exc).__name__)
        if self._age() > self._stale_limit:
            raise _unauthorized("The signing keys could not be fetched.")
        if kid not in self._keys:
            raise _unauthorized("The token is signed with an unknown key.")
        return self._keys[kid]


def http_key_fetcher(url: str, transport: httpx.AsyncBaseTransport | None = None) -> KeyFetcher:
    """Fetch the JWKS document (keys and revoked clients) from the gateway, every time with
    the same client (per event loop): a new one loads the CA bundle, a third of a second of
    CPU, and the document is fetched every two seconds. A plain-HTTP URL needs no CA bundle."""
    clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}

    async def fetch() -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        client = clients.get(loop)
        if client is None or client.is_closed:
            for stale in [other for other in clients if other.is_closed()]:
                del clients[stale]
            client = clients[loop] = httpx.AsyncClient(
                transport=transport, timeout=3.0, verify=url.startswith("https:")
            )
        response = await client.get(url)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    return fetch


@dataclass(frozen=True)
class _Verified:
    """A token whose signature and claims were checked, with the key that checked it."""

    key: Any
    principal: Principal
    issued_at: float
    expires_at: float


class VerifiedTokens:
    """The tokens verified lately (at most `size`, the least recently used dropped): a client
    sends the same token for minutes, and checking its EdDSA signature again each time was a
    fifth of the gateway's CPU. A hit still needs its key in the current key set (the very
    key object, so a rotation or a dropped key counts at once), an unexpired `exp`, and no
    revocation: only the signature and the claims' shapes are not checked twice."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._tokens: OrderedDict[str, _Verified] = OrderedDict()

    def get(self, token: str) -> _Verified | None:
        found = self._tokens.get(token)
        if found is not None:
            self._tokens.move_to_end(token)
        return found

    def put(self, token: str, verified: _Verified) -> None:
        self._tokens[token] = verified
        self._tokens.move_to_end(token)
        while len(self._tokens) > self.size:
            self._tokens.popitem(last=False)


def _verify(token: str, key: Any) -> _Verified:
    """The token's signature and claims checked with `key`; 401 when they do not hold."""
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
    except (jwt.PyJWTError, TypeError) as exc:
        raise _unauthorized("The token is not valid.") from exc
    principal = _principal(claims)
    issued_at, expires_at = claims["iat"], claims["exp"]
    if not isinstance(issued_at, int | float) or not isinstance(expires_at, int | float):
        raise _unauthorized("The token's claims iat and exp must be numbers.")
    return _Verified(key, principal, float(issued_at), float(expires_at))


async def verify_token(
    token: str, keys: KeySet, *, revoked: RevokedClients | None = None
) -> Principal:
    """The principal of a valid token; 401 for anything else (alg none, HS256, expired, a key
    no longer in the key set, a revoked client ...). `revoked` adds a list to the one the key
    set fetched (the gateway passes its own, read from its database)."""
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
    verified = keys.verified.get(token)
    if verified is None or verified.key is not key or time.time() >= verified.expires_at:
        verified = _verify(token, key)
        keys.verified.put(token, verified)
    principal, issued_at = verified.principal, verified.issued_at
    for lists in (keys.revoked, revoked):
        if lists is not None and lists.refuses(principal.client_id, issued_at):
            raise _unauthorized("The token's client has been revoked.")
    return principal


_TEXT_CLAIMS = ("sub", "role", "jti")
RATE_LIMIT_CLAIM = "rate_limit"
"""A client's own rate limit (requests per second), set by the gateway when it has one."""
_SCOPE_CLAIMS = ("county_code", "organisation_number")


def _principal(claims: dict[str, Any]) -> Principal:
    """The principal the claims name; a claim of the wrong type is an invalid token."""
    wrong = [name for name in _TEXT_CLAIMS if not isinstance(claims.get(name), str)]
    wrong += [name for name in _SCOPE_CLAIMS if not isinstance(claims.get(name, ""), str)]
    rate_limit = claims.get(RATE_LIMIT_CLAIM)
    if rate_limit is not None and (type(rate_limit) is not int or rate_limit < 1):
        wrong.append(RATE_LIMIT_CLAIM)
    if wrong:
        raise _unauthorized(f"The token's claims {', '.join(wrong)} are not valid.")
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
        rate_limit=rate_limit,
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
