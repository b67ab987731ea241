"""Audit events: the record of every change, and reading it back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.context import current_request_id
from common.pagination import PageParams
from services.funding.audit import repository
from services.funding.audit.models import AuditEvent


async def record(
    session: AsyncSession,
    *,
    actor: Principal,
    action: str,
    object_type: str,
    object_id: str | int,
    detail: dict[str, Any] | None = None,
) -> None:
    """Keep one change: who, what, on which object, in which request (same transaction)."""
    await repository.add(
        session,
        AuditEvent(
            actor=actor.client_id,
            role=actor.role.value,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            request_id=current_request_id(),
            detail=detail or {},
        ),
    )


async def list_events(
    session: AsyncSession,
    *,
    since: datetime | None,
    until: datetime | None,
    action: str | None,
    actor: str | None,
    page: PageParams,
) -> tuple[list[AuditEvent], int]:
    """Audit events, newest first, optionally within [since, until)."""
    return await repository.page(
        session,
        since=since,
        until=until,
        action=action,
        actor=actor,
        limit=page.limit,
        offset=page.offset,
    )
