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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
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
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


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


def fingerprint(method: str, path: str, query: str, payload: Any) -> str:
    """What makes two requests the same request: method, path, query and the payload (as
    canonical JSON, so that whitespace and key order do not change it)."""
    canonical = json.dumps(jsonable_encoder(payload), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256()
    for part in (method, path, query, canonical):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


@dataclass(frozen=True)
class Outcome:
    """An effect's answer when its status depends on what happened (201 made, 200 found)."""

    body: Any
    status: int


HeadersOf = Callable[[Any], Mapping[str, str]]


class Idempotency:
    """One request's key: replays a stored response, or runs the effect and stores it."""

    def __init__(
        self, session: AsyncSession, table: Table, principal: Principal, request: Request
    ) -> None:
        self.session = session
        self.table = table
        self.principal = principal
        self.key = _check_key(request.headers.get("Idempotency-Key"))
        self.method = request.method
        self.path = request.url.path
        self.query = "&".join(sorted(f"{k}={v}" for k, v in request.query_params.multi_items()))

    async def run(
        self,
        effect: Callable[[], Awaitable[Any]],
        *,
        payload: Any,
        status_code: int = 201,
        store: bool = True,
        headers: HeadersOf | None = None,
    ) -> Response:
        """Replay the response stored for this key, or run `effect` (a service call) and store
        what it returned with its effect, in the request's transaction.

        `payload` is what identifies the request beside its method, path and query: the
        parsed body, or a digest of a streamed one. The effect returns the body (answered with
        `status_code`) or an `Outcome` naming its status. `store=False` (a dry run) neither
        replays nor stores. `headers` derives response headers from the body, replays included.
        """
        request_fingerprint = self.fingerprint_of(payload)
        if store and self.key is not None:
            await self._lock()
            stored = await self._stored()
            if stored is not None:
                return self.replay(request_fingerprint, *stored, headers=headers)
        result = await effect()
        if isinstance(result, Outcome):
            status_code, result = result.status, result.body
        body = jsonable_encoder(result)
        if store and self.key is not None:
            await self._save(request_fingerprint, status_code, body)
        return JSONResponse(body, status_code=status_code, headers=_headers(headers, body))

    def fingerprint_of(self, payload: Any) -> str:
        """This request's fingerprint, with `payload` as in `run`."""
        return fingerprint(self.method, self.path, self.query, payload)

    @property
    def lock_name(self) -> str:
        """What names this key's advisory lock (hashed with `hashtextextended(name, 0)`)."""
        return f"{self.table.schema}:{self.principal.client_id}:{self.key}"

    def replay(
        self,
        request_fingerprint: str,
        stored_fingerprint: str,
        status: int,
        body: Any,
        *,
        headers: HeadersOf | None = None,
    ) -> Response:
        """The stored response, marked replayed; 422 when the key was used for another
        request. For a route that keeps its key in its own statement (`run` does it all)."""
        if stored_fingerprint != request_fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used with a different request; use a new key."
            )
        replayed = {**_headers(headers, body), "Idempotent-Replayed": "true"}
        return JSONResponse(body, status_code=status, headers=replayed)

    async def _lock(self) -> None:
        """Hold the key for this transaction; a concurrent holder means 409 in flight."""
        acquired = await self.session.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtextextended(:name, 0))"),
            {"name": self.lock_name},
        )
        if not acquired:
            raise in_flight()

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

    async def _save(self, request_fingerprint: str, status: int, body: Any) -> None:
        """Store the response with the effect (same transaction); an expired key is replaced."""
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


def in_flight() -> IdempotencyKeyInFlight:
    """The 409 for a key whose first request still holds it."""
    return IdempotencyKeyInFlight(
        "A request with this Idempotency-Key is still being processed; retry shortly."
    )


def _headers(headers: HeadersOf | None, body: Any) -> dict[str, str]:
    return dict(headers(body)) if headers is not None else {}


def _check_key(key: str | None) -> str | None:
    if key is not None and not KEY_PATTERN.match(key):
        raise InvalidInput(
            "Idempotency-Key must be 1-255 visible ASCII characters.",
            errors=[{"location": "header.Idempotency-Key", "message": "invalid", "value": key}],
        )
    return key


KEY_HEADER = Header(
    alias="Idempotency-Key",
    min_length=1,
    max_length=255,
    pattern=KEY_PATTERN.pattern,
    description="A new key for each intended effect, such as a fresh UUID "
    "(8e4f8c3a-6f1b-4e0e-9b8e-0d6d1c1f2a77); a retry with the same key replays the first "
    "response. Deliberately no example value: a client that sends one fixed key for "
    "different requests gets 422 idempotency-key-reused.",
)


async def optional_idempotency(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(authenticate)],
    idempotency_key: Annotated[str | None, KEY_HEADER] = None,
) -> Idempotency:
    """The request's `Idempotency`; the key is accepted, not required. The key table is the
    app's own (`app.state.idempotency_table`, set by the service builder)."""
    return Idempotency(session, request.app.state.idempotency_table, principal, request)


async def required_idempotency(
    idempotency: Annotated[Idempotency, Depends(optional_idempotency)],
) -> Idempotency:
    """The same for a POST that moves money or ingests data: no key is 400."""
    if idempotency.key is None:
        raise IdempotencyKeyRequired("This request moves money or data: send an Idempotency-Key.")
    return idempotency


IdempotencyDep = Annotated[Idempotency, Depends(optional_idempotency)]
RequiredIdempotencyDep = Annotated[Idempotency, Depends(required_idempotency)]
