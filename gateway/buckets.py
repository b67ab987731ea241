"""Rate limits: one token bucket per client (or address), `rate` per second up to `burst`.

`SharedBuckets` keeps the buckets in the gateway's database, so several gateway processes
enforce one limit; `TokenBuckets` keeps them in the process's memory (one replica, or while
the database cannot be reached).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import DateTime, Double, String, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column
from starlette.applications import Starlette

from common.problems import DATABASE_UNREACHABLE
from gateway.db import Base

logger = logging.getLogger("kvf.gateway.limits")
_STORE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, *DATABASE_UNREACHABLE)


class RateBucket(Base):
    """A client's bucket as every gateway process sees it (`gateway.take_tokens` keeps it)."""

    __tablename__ = "rate_bucket"

    identity: Mapped[str] = mapped_column(String(80), primary_key=True)
    tokens: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RateLimits(Protocol):
    async def admit(self, identity: str, app: Starlette, rate: float | None = None) -> float:
        """0 when the request may pass; otherwise the seconds until it may. `rate`: the
        client's own limit (its bucket holds as many seconds of requests as the default's)."""


@dataclass(frozen=True)
class Limit:
    """Requests per second, and how many may come at once."""

    rate: float
    burst: float

    def scaled(self, rate: float | None) -> Limit:
        """The same bucket in seconds for another rate (a client's own limit)."""
        if rate is None:
            return self
        return Limit(rate, max(1.0, math.ceil(rate * self.burst / self.rate)))


class TokenBuckets:
    """The buckets in this process's memory, the least recently used dropped past
    `max_clients`."""

    def __init__(self, rate: float, burst: int, max_clients: int = 10_000) -> None:
        self.limit = Limit(rate, float(burst))
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str, limit: Limit | None = None) -> float:
        """0 when the request may pass; otherwise the seconds until it may."""
        rate, burst = (limit or self.limit).rate, (limit or self.limit).burst
        now = time.monotonic()
        tokens, last = self._buckets.pop(client, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens >= 1:
            self._buckets[client] = (tokens - 1, now)
            wait = 0.0
        else:
            self._buckets[client] = (tokens, now)
            wait = (1 - tokens) / rate
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait

    async def admit(self, identity: str, app: Starlette, rate: float | None = None) -> float:
        return self.take(identity, self.limit.scaled(rate))


@dataclass
class _Lease:
    """Tokens this process took from a shared bucket and has not used yet."""

    tokens: int = 0
    refused_until: float = -math.inf
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


_TAKE = text(
    "SELECT granted, wait_seconds FROM gateway.take_tokens(:identity, :rate, :burst, :wanted)"
)
_FORGET = text(
    "DELETE FROM gateway.rate_bucket WHERE updated_at < now() - make_interval(secs => :idle)"
)


def lease_size(limit: Limit) -> int:
    """How many tokens a process takes at a time: what the client may use in a twentieth of a
    second, at least ten, but never more than a tenth of its bucket. A busy client then costs
    each process at most twenty statements a second, whatever its limit, and the tokens one
    process holds unused are at most a twentieth of a second's worth (or nine)."""
    return max(1, min(int(limit.burst) // 10, max(10, int(limit.rate / 20))))


class SharedBuckets:
    """The buckets in the database, taken from in leases of `lease_size` tokens.

    A process asks the database for tokens only when its lease is used up (one request per
    client at a time; the others wait for its answer), and remembers a refusal until the
    bucket has refilled. Every token is granted once, so several processes together pass at
    most `burst` requests at once plus, per process, one lease not yet used. While the
    database cannot be read, each process limits on its own (`TokenBuckets`).
    """

    def __init__(self, rate: float, burst: int, *, max_clients: int = 10_000) -> None:
        self.limit = Limit(rate, float(burst))
        self.max_clients = max_clients
        self.fallback = TokenBuckets(rate, burst, max_clients)
        self._leases: OrderedDict[str, _Lease] = OrderedDict()
        # A bucket untouched this long is full again: its row says nothing a new one would not.
        self._idle_seconds = burst / rate + 60
        self._forgotten_at = time.monotonic()
        self._failing = False

    def _lease_of(self, identity: str) -> _Lease:
        lease = self._leases.pop(identity, None) or _Lease()
        self._leases[identity] = lease
        while len(self._leases) > self.max_clients:
            self._leases.popitem(last=False)
        return lease

    async def admit(self, identity: str, app: Starlette, rate: float | None = None) -> float:
        limit = self.limit.scaled(rate)
        lease = self._lease_of(identity)
        async with lease.lock:
            if lease.tokens > 0:
                lease.tokens -= 1
                return 0.0
            wait = lease.refused_until - time.monotonic()
            if wait > 0:
                return wait
            try:
                granted, wait = await self._take(app.state.engine, identity, limit)
            except _STORE_ERRORS as exc:
                if not self._failing:
                    logger.warning(
                        "Rate limits cannot be shared right now (%s); limiting per process.",
                        type(exc).__name__,
                    )
                self._failing = True
                return self.fallback.take(identity, limit)
            if self._failing:
                logger.info("Rate limits are shared again.")
                self._failing = False
            if granted > 0:
                lease.tokens = granted - 1
                return 0.0
            lease.refused_until = time.monotonic() + wait
            return wait

    async def _take(self, engine: AsyncEngine, identity: str, limit: Limit) -> tuple[int, float]:
        wanted = lease_size(limit)
        parameters = {"identity": identity, "rate": limit.rate, "burst": limit.burst}
        async with engine.begin() as connection:
            row = (await connection.execute(_TAKE, {**parameters, "wanted": wanted})).one()
            if time.monotonic() - self._forgotten_at > 60:
                self._forgotten_at = time.monotonic()
                await connection.execute(_FORGET, {"idle": self._idle_seconds})
        return int(row.granted), float(row.wait_seconds)


def make_rate_limits(store: str, rate: float, burst: int) -> RateLimits:
    """The gateway's rate limits, kept where its `rate_limit_store` setting says."""
    if store == "memory":
        return TokenBuckets(rate, burst)
    return SharedBuckets(rate, burst)
