"""SQL of the national indicator set."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import equal_to, insert_or_raise, page_of
from common.pagination import PageParams
from services.goals.national.models import NationalIndicator
from services.goals.problems import NationalIndicatorExists


async def get(session: AsyncSession, code: str) -> NationalIndicator | None:
    return await session.get(NationalIndicator, code)


async def list_national(
    session: AsyncSession, *, goal_code: str | None, page: PageParams
) -> tuple[list[NationalIndicator], int]:
    query = select(NationalIndicator).where(*equal_to((NationalIndicator.goal_code, goal_code)))
    return await page_of(
        session, query.order_by(NationalIndicator.goal_code, NationalIndicator.code), page
    )


async def add(
    session: AsyncSession, indicator: NationalIndicator, *, exists: NationalIndicatorExists
) -> None:
    """Insert the national indicator; `exists` when its code was taken meanwhile."""
    await insert_or_raise(session, indicator, exists=exists)
