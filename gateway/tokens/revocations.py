"""The clients the gateway has revoked, as its database says, shared within one process.

The gateway's token check (`GatewayGuard`) and its JWKS route read the list from here. It is
reread from the database at most once a second, so a revocation counts at the gateway within
about a second, and reaches every service with its next key-set refresh (two seconds).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from common.auth import RevokedClients
from common.problems import DATABASE_UNREACHABLE, AppError
from gateway.clients import repository
from gateway.config import MAX_TOKEN_TTL_SECONDS

logger = logging.getLogger("kvf.gateway.revocations")
_READ_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, *DATABASE_UNREACHABLE)

# A revocation older than the longest token lifetime concerns no token that is still valid.
PUBLISHED_FOR = timedelta(seconds=MAX_TOKEN_TTL_SECONDS + 300)


class RevocationsUnavailable(AppError):
    status = 503
    problem_type = "service-unavailable"
    title = "Service unavailable / Tjänsten är inte tillgänglig"


class RevocationList:
    """The clients revoked within the longest token lifetime, reread at most every
    `ttl_seconds`; while the database cannot be read the last list serves for at most
    `stale_limit` seconds, then tokens cannot be checked (503)."""

    def __init__(self, *, ttl_seconds: float = 1.0, stale_limit: float = 30.0) -> None:
        self._revoked = RevokedClients()
        self._read_at = -math.inf
        self._attempted_at = -math.inf
        self._ttl = ttl_seconds
        self._stale_limit = stale_limit
        self._lock = asyncio.Lock()

    def _fresh(self) -> bool:
        return time.monotonic() - self._read_at <= self._ttl

    async def current(self, sessionmaker: async_sessionmaker[AsyncSession]) -> RevokedClients:
        """The list, read again when it is older than the refresh cycle."""
        if self._fresh():
            return self._revoked
        async with self._lock:
            # After a failure, wait a second before asking the database again.
            if not self._fresh() and time.monotonic() - self._attempted_at >= 1.0:
                await self._read(sessionmaker)
        if time.monotonic() - self._read_at > self._stale_limit:
            raise RevocationsUnavailable(
                "Revoked clients cannot be read right now; try again shortly.",
                headers={"Retry-After": "1"},
            )
        return self._revoked

    async def _read(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._attempted_at = time.monotonic()
        try:
            async with sessionmaker() as session:
                since = datetime.now(UTC) - PUBLISHED_FOR
                revoked = await repository.revoked_since(session, since)
        except _READ_ERRORS as exc:
            logger.warning("Revoked clients could not be read: %s", type(exc).__name__)
            return
        self._revoked = RevokedClients(revoked)
        self._read_at = time.monotonic()


def revocation_list(app: Starlette) -> RevocationList:
    """The app's list, made on first use: the token check and the JWKS route share it."""
    existing: RevocationList | None = getattr(app.state, "revocation_list", None)
    if existing is None:
        existing = app.state.revocation_list = RevocationList()
    return existing


async def revoked_clients(app: Starlette) -> RevokedClients:
    """The clients revoked, as the app's database says (at most a second old)."""
    return await revocation_list(app).current(app.state.sessionmaker)
