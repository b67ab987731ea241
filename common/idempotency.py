"""Idempotency keys (as Stripe has them), kept in each app's own schema.

The first successful response is stored with its effect, in the same transaction. A retry with
the same key and the same request replays it (`Idempotent-Replayed: true`); the same key with
another request is 422; a key whose first request is still running is 409. Keys are scoped to
the client that sent them and kept for `RETENTION` (at least 24 hours).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse, Response

from common.auth import Principal, authenticate
from common.db import SessionDep
from common.problems import AppError, Conflict, InvalidInput

RETENTION = timedelta(hours=48)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyKeyRequired(AppError):
    status = 400
    problem_type = "idempotency-key-required"
    title = "Idempotency-Key required / Idempotency-Key krävs"


class IdempotencyKeyReused(InvalidInput):
    problem_type = "idempotency-key-reused"
    title = "Idempotency-Key reused / Idempotency-Key återanvänd"


class IdempotencyKeyInFlight(Conflict):
    problem_type = "idempotency-key-in-flight"
    title = "Request in progress / Begäran pågår"


def idempotency_table(metadata: MetaData) -> Table:
    """The key table of one app; each app's models call this with its own metadata."""
    return Table(
        "idempotency_key",
        metadata,
        Column("client_id", String(64), primary_key=True),
        Column("key", String(255), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("response_status", Integer, nullable=False),
        Column("response_body", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    )


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same request."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class Idempotency:
    """One request's key: replays a stored response, or runs the effect and stores it."""

    def __init__(
        self, session: AsyncSession, table: Table, principal: Principal, key: str | None
    ) -> None:
        self.session = session
        self.table = table
        self.principal = principal
        self.key = key

    async def _lock(self) -> None:
        """Hold the key for this transaction; a concurrent holder means 409 in flight."""
        lock_name = f"{self.table.schema}:{self.principal.client_id}:{self.key}"
        acquired = await self.session.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtextextended(:name, 0))"),
            {"name": lock_name},
        )
        if not acquired:
            raise IdempotencyKeyInFlight(
                "A request with this Idempotency-Key is still being processed; retry shortly."
            )

    async def _stored(self) -> tuple[str, int, Any] | None:
        row = (
            await self.session.execute(
                select(
                    self.table.c.fingerprint,
                    self.table.c.response_status,
                    self.table.c.response_body,
                ).where(
                    self.table.c.client_id == self.principal.client_id,
                    self.table.c.key == self.key,
                    self.table.c.expires_at > func.now(),
                )
            )
        ).first()
        return (row[0], row[1], row[2]) if row else None

    async def replay(self, request_fingerprint: str) -> Response | None:
        """The stored response for this key and request, or None when the key is new."""
        if self.key is None:
            return None
        await self._lock()
        stored = await self._stored()
        if stored is None:
            return None
        stored_fingerprint, status, body = stored
        if stored_fingerprint != request_fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used with a different request; use a new key."
            )
        return JSONResponse(body, status_code=status, headers={"Idempotent-Replayed": "true"})

    async def save(self, request_fingerprint: str, status: int, body: Any) -> None:
        """Store the response with the effect (same transaction)."""
        if self.key is None:
            return
        await self.session.execute(
            delete(self.table).where(
                self.table.c.client_id == self.principal.client_id,
                self.table.c.key == self.key,
            )
        )
        await self.session.execute(
            insert(self.table).values(
                client_id=self.principal.client_id,
                key=self.key,
                fingerprint=request_fingerprint,
                response_status=status,
                response_body=body,
                expires_at=func.now() + RETENTION,
            )
        )

    async def run(
        self,
        request_fingerprint: str,
        effect: Callable[[], Awaitable[Any]],
        *,
        status_code: int = 201,
    ) -> Response:
        """Replay, or run `effect` (a service call) and store what it returned."""
        replayed = await self.replay(request_fingerprint)
        if replayed is not None:
            return replayed
        body = jsonable_encoder(await effect())
        await self.save(request_fingerprint, status_code, body)
        return JSONResponse(body, status_code=status_code)


def _check_key(key: str | None) -> str | None:
    if key is not None and not _KEY.match(key):
        raise InvalidInput(
            "Idempotency-Key must be 1-255 visible ASCII characters.",
            errors=[{"location": "header.Idempotency-Key", "message": "invalid", "value": key}],
        )
    return key


def idempotency_dependency(table: Table, *, required: bool) -> Any:
    """A dependency giving the route its `Idempotency`; `required` makes a missing key 400."""

    async def dependency(
        session: SessionDep,
        principal: Annotated[Principal, Depends(authenticate)],
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                description="A unique key per intended effect; a retry with the same key "
                "replays the first response.",
                examples=["8e4f8c3a-6f1b-4e0e-9b8e-0d6d1c1f2a77"],
            ),
        ] = None,
    ) -> Idempotency:
        key = _check_key(idempotency_key)
        if required and key is None:
            raise IdempotencyKeyRequired(
                "This request moves money or data: send an Idempotency-Key."
            )
        return Idempotency(session, table, principal, key)

    return Depends(dependency)


async def request_fingerprint(request: Request) -> str:
    """Fingerprint of a request whose body is small enough to have been read (JSON)."""
    return fingerprint(request.method, request.url.path, await request.body())


def json_fingerprint(request: Request, payload: Any) -> str:
    """Fingerprint from the parsed payload, so that whitespace does not change it."""
    canonical = json.dumps(jsonable_encoder(payload), sort_keys=True, separators=(",", ":"))
    return fingerprint(request.method, request.url.path, canonical.encode())
