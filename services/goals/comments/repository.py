"""SQL of report comments."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import page_of
from common.pagination import PageParams
from services.goals.comments.models import ReportComment


async def add(session: AsyncSession, comment: ReportComment) -> None:
    session.add(comment)
    await session.flush()


async def page_of_report(
    session: AsyncSession, report_id: int, *, indicator_id: int | None, page: PageParams
) -> tuple[list[ReportComment], int]:
    query = select(ReportComment).where(ReportComment.report_id == report_id)
    if indicator_id is not None:
        query = query.where(ReportComment.indicator_id == indicator_id)
    return await page_of(session, query.order_by(ReportComment.id), page)
