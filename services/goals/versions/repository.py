"""SQL of report versions."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import page_of
from common.pagination import PageParams
from services.goals.versions.models import ReportVersion
from services.goals.versions.schemas import VersionKind


async def next_number(session: AsyncSession, report_id: int) -> int:
    """The number the report's next version gets (its row is locked by the caller)."""
    latest: int | None = await session.scalar(
        select(func.max(ReportVersion.number)).where(ReportVersion.report_id == report_id)
    )
    return (latest or 0) + 1


def add(session: AsyncSession, version: ReportVersion) -> None:
    session.add(version)


async def page_of_report(
    session: AsyncSession, report_id: int, *, kind: VersionKind | None, page: PageParams
) -> tuple[list[ReportVersion], int]:
    query = select(ReportVersion).where(ReportVersion.report_id == report_id)
    if kind is not None:
        query = query.where(ReportVersion.kind == kind)
    return await page_of(session, query.order_by(ReportVersion.number), page)


async def get(session: AsyncSession, report_id: int, number: int) -> ReportVersion | None:
    return await session.get(ReportVersion, (report_id, number))


async def has_kind(session: AsyncSession, report_id: int, kind: VersionKind) -> bool:
    found = await session.scalar(
        select(ReportVersion.number)
        .where(ReportVersion.report_id == report_id, ReportVersion.kind == kind)
        .limit(1)
    )
    return found is not None


async def latest_approved(
    session: AsyncSession, report_ids: Sequence[int]
) -> dict[int, ReportVersion]:
    """Each report's latest approved version (reports never approved are left out)."""
    if not report_ids:
        return {}
    rows = await session.scalars(
        select(ReportVersion)
        .where(
            ReportVersion.report_id.in_(report_ids),
            ReportVersion.kind == VersionKind.approved,
        )
        .order_by(ReportVersion.report_id, ReportVersion.number)
    )
    return {version.report_id: version for version in rows}  # the last one of each stays
