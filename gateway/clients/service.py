"""API clients and tokens: the rules. Secrets are random, shown once, stored as argon2 hashes."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import AUDIENCE, ISSUER, RATE_LIMIT_CLAIM
from common.pagination import PageParams
from common.problems import NotFound
from gateway.clients import repository
from gateway.clients.models import ApiClient
from gateway.clients.schemas import ClientCreate
from gateway.keys import Keyring

_hasher = PasswordHasher()
# Verified against when the client id is unknown, so timing does not tell which ids exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    window: timedelta
    lockout: timedelta


class LoginLocked(Exception):
    """Too many failed logins for this client id from this address; retry after
    `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("locked")
        self.retry_after = retry_after


def _new_client_id() -> str:
    return f"kvf_{secrets.token_hex(8)}"


async def create_client(
    session: AsyncSession, *, data: ClientCreate, created_by: str | None
) -> tuple[ApiClient, str]:
    """A new client and its secret (32 random bytes); the secret is returned this once."""
    secret = secrets.token_urlsafe(32)
    secret_hash = await asyncio.to_thread(_hasher.hash, secret)
    client = ApiClient(
        client_id=_new_client_id(),
        name=data.name,
        role=data.role.value,
        county_code=data.county_code,
        organisation_number=data.organisation_number,
        rate_limit_per_second=data.rate_limit_per_second,
        secret_hash=secret_hash,
        created_by=created_by,
    )
    return await repository.add(session, client), secret


async def list_clients(session: AsyncSession, *, page: PageParams) -> tuple[list[ApiClient], int]:
    """Every client, oldest first."""
    return await repository.page(session, limit=page.limit, offset=page.offset)


async def get_client(session: AsyncSession, *, client_id: str) -> ApiClient:
    """One client, or 404."""
    client = await repository.get(session, client_id)
    if client is None:
        raise NotFound(f"No client with id {client_id}.")
    return client


async def revoke_client(session: AsyncSession, *, client_id: str) -> ApiClient:
    """Revoke a client: it gets no new token, and the tokens it holds are refused within
    seconds, at the gateway and at every service (they are published in the JWKS document)."""
    client = await get_client(session, client_id=client_id)
    if client.revoked_at is None:
        await repository.revoke(session, client)
    return client


async def has_admin(session: AsyncSession) -> bool:
    return await repository.count_admins(session) > 0


async def _secret_matches(secret_hash: str, secret: str) -> bool:
    try:
        return await asyncio.to_thread(_hasher.verify, secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


async def authenticate_client(
    session: AsyncSession,
    *,
    client_id: str,
    client_secret: str,
    address: str,
    policy: LoginPolicy,
) -> ApiClient | None:
    """The client if its secret matches and it is not revoked; None otherwise.

    Failures count per client id and source address: raises LoginLocked while this address
    is locked out for this client id, and failures from elsewhere never lock it out here
    (anyone who has seen a client id could otherwise lock its owner out).
    """
    now = datetime.now(UTC)
    state = await repository.failure_state(session, client_id, address)
    if state is not None and state.locked_until is not None and state.locked_until > now:
        raise LoginLocked(int((state.locked_until - now).total_seconds()) + 1)
    client = await repository.get_for_token(session, client_id)
    matches = await _secret_matches(client.secret_hash if client else _DUMMY_HASH, client_secret)
    if client is None or not matches or client.revoked_at is not None:
        await repository.record_failure(
            session,
            client_id,
            address,
            now=now,
            window_start=now - policy.window,
            limit=policy.max_failures,
            locked_until=now + policy.lockout,
        )
        await repository.purge_failures(
            session, started_before=now - policy.window - policy.lockout
        )
        return None
    if state is not None:
        await repository.clear_failures(session, client_id, address)
    return client


def issue_token(client: ApiClient, *, keyring: Keyring, ttl: timedelta) -> str:
    """A signed JWT for the client: sub, role, its scope, iat, exp, jti."""
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": client.client_id,
        "role": client.role,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": str(uuid.uuid4()),
    }
    if client.county_code:
        claims["county_code"] = client.county_code
    if client.organisation_number:
        claims["organisation_number"] = client.organisation_number
    if client.rate_limit_per_second is not None:
        claims[RATE_LIMIT_CLAIM] = client.rate_limit_per_second
    key = keyring.current
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
