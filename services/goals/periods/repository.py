"""SQL of reporting periods."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import insert_or_raise, page_of
from common.pagination import PageParams
from services.goals.periods.models import ReportingPeriod
from services.goals.problems import ReportingPeriodExists


async def get(session: AsyncSession, period: str) -> ReportingPeriod | None:
    return await session.get(ReportingPeriod, period)


async def list_periods(
    session: AsyncSession, *, page: PageParams
) -> tuple[list[ReportingPeriod], int]:
    return await page_of(session, select(ReportingPeriod).order_by(ReportingPeriod.period), page)


async def add(
    session: AsyncSession, period: ReportingPeriod, *, exists: ReportingPeriodExists
) -> None:
    await insert_or_raise(session, period, exists=exists)
