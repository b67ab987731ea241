"""Every query on grant_call, grant_interest, grant_application and its events."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.db import Base
from services.funding.grants.models import Application, ApplicationEvent, Call, Interest

Row = TypeVar("Row", bound=Base)


async def add(session: AsyncSession, row: Row) -> Row:
    session.add(row)
    await session.flush()
    return row


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def get_call(session: AsyncSession, call_id: int) -> Call | None:
    return await session.get(Call, call_id)


async def page_calls(
    session: AsyncSession, *, condition: ColumnElement[bool], limit: int, offset: int
) -> tuple[list[Call], int]:
    total = await session.scalar(select(func.count()).select_from(Call).where(condition))
    rows = await session.scalars(
        select(Call).where(condition).order_by(Call.id).limit(limit).offset(offset)
    )
    return list(rows), total or 0


async def find_interest(
    session: AsyncSession, call_id: int, organisation_number: str
) -> Interest | None:
    statement = select(Interest).where(
        Interest.call_id == call_id, Interest.organisation_number == organisation_number
    )
    return (await session.scalars(statement)).one_or_none()


async def page_interests(
    session: AsyncSession, *, condition: ColumnElement[bool], limit: int, offset: int
) -> tuple[list[Interest], int]:
    total = await session.scalar(select(func.count()).select_from(Interest).where(condition))
    rows = await session.scalars(
        select(Interest).where(condition).order_by(Interest.id).limit(limit).offset(offset)
    )
    return list(rows), total or 0


async def find_application(
    session: AsyncSession, call_id: int, organisation_number: str
) -> Application | None:
    statement = select(Application).where(
        Application.call_id == call_id, Application.organisation_number == organisation_number
    )
    return (await session.scalars(statement)).one_or_none()


async def get_application(
    session: AsyncSession, application_id: int, *, lock: bool = False
) -> Application | None:
    """The application; `lock` holds it (FOR NO KEY UPDATE) so its steps run one at a time."""
    statement = (
        select(Application)
        .where(Application.id == application_id)
        .execution_options(populate_existing=True)
    )
    if lock:
        statement = statement.with_for_update(key_share=True)
    return (await session.scalars(statement)).one_or_none()


async def page_applications(
    session: AsyncSession, *, condition: ColumnElement[bool], limit: int, offset: int
) -> tuple[list[Application], int]:
    total = await session.scalar(select(func.count()).select_from(Application).where(condition))
    rows = await session.scalars(
        select(Application).where(condition).order_by(Application.id).limit(limit).offset(offset)
    )
    return list(rows), total or 0


async def events(session: AsyncSession, application_id: int) -> list[ApplicationEvent]:
    rows = await session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.id)
    )
    return list(rows)
