"""The SQL of schools."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mvp_evaluation.schools.models import School


async def get(session: AsyncSession, school_unit_code: str) -> School | None:
    return await session.get(School, school_unit_code)


async def page(
    session: AsyncSession,
    *,
    arm: str | None,
    municipality_code: str | None,
    organisation_number: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[School], int]:
    conditions = []
    if arm is not None:
        conditions.append(School.arm == arm)
    if municipality_code is not None:
        conditions.append(School.municipality_code == municipality_code)
    if organisation_number is not None:
        conditions.append(School.organisation_number == organisation_number)
    total = await session.scalar(select(func.count()).select_from(School).where(*conditions))
    rows = await session.scalars(
        select(School)
        .where(*conditions)
        .order_by(School.school_unit_code)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)
