"""Audit events: the record of every change, and reading it back."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.context import current_request_id
from common.pagination import PageParams
from services.funding.audit import repository
from services.funding.audit.models import AuditEvent
from services.funding.audit.schemas import AuditFilter


async def record(
    session: AsyncSession,
    *,
    principal: Principal,
    action: str,
    object_type: str,
    object_id: str | int,
    detail: dict[str, Any] | None = None,
) -> None:
    """Keep one change: who, what, on which object, in which request (same transaction)."""
    await repository.add(
        session,
        AuditEvent(
            actor=principal.client_id,
            role=principal.role.value,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            request_id=current_request_id(),
            detail=detail or {},
        ),
    )


async def list_events(
    session: AsyncSession, *, filters: AuditFilter, page: PageParams
) -> tuple[list[AuditEvent], int]:
    """Audit events that match the filters, newest first."""
    return await repository.page(session, filters=filters, page=page)
