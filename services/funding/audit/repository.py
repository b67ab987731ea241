"""Every query on audit_event."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import equal_to, page_of
from common.pagination import PageParams
from services.funding.audit.models import AuditEvent
from services.funding.audit.schemas import AuditFilter


async def add(session: AsyncSession, event: AuditEvent) -> None:
    session.add(event)
    await session.flush()


async def page(
    session: AsyncSession, *, filters: AuditFilter, page: PageParams
) -> tuple[list[AuditEvent], int]:
    """The events that match the filters, newest first."""
    conditions = equal_to((AuditEvent.action, filters.action), (AuditEvent.actor, filters.actor))
    if filters.since is not None:
        conditions.append(AuditEvent.created_at >= filters.since)
    if filters.until is not None:
        conditions.append(AuditEvent.created_at < filters.until)
    statement = (
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    return await page_of(session, statement, page)
