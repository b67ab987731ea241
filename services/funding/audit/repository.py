"""Every query on audit_event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.audit.models import AuditEvent


async def add(session: AsyncSession, event: AuditEvent) -> None:
    session.add(event)
    await session.flush()


def _filters(
    since: datetime | None, until: datetime | None, action: str | None, actor: str | None
) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = true()
    if since is not None:
        condition &= AuditEvent.created_at >= since
    if until is not None:
        condition &= AuditEvent.created_at < until
    if action is not None:
        condition &= AuditEvent.action == action
    if actor is not None:
        condition &= AuditEvent.actor == actor
    return condition


async def page(
    session: AsyncSession,
    *,
    since: datetime | None,
    until: datetime | None,
    action: str | None,
    actor: str | None,
    limit: int,
    offset: int,
) -> tuple[list[AuditEvent], int]:
    condition = _filters(since, until, action, actor)
    total = await session.scalar(select(func.count()).select_from(AuditEvent).where(condition))
    rows = await session.scalars(
        select(AuditEvent)
        .where(condition)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0
