"""The SQL of schools."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import equal_to, insert_or_raise, page_of
from common.pagination import PageParams
from services.mvp_evaluation.problems import SchoolExists
from services.mvp_evaluation.schools.models import School
from services.mvp_evaluation.schools.schemas import Arm


async def get(session: AsyncSession, school_unit_code: str) -> School | None:
    return await session.get(School, school_unit_code)


async def add(session: AsyncSession, school: School) -> School:
    """Insert the school (its creation time read back); 409 when its code is registered."""
    exists = SchoolExists(f"School {school.school_unit_code} is already registered.")
    await insert_or_raise(session, school, exists=exists)
    await session.refresh(school)
    return school


async def page(
    session: AsyncSession,
    *,
    arm: Arm | None,
    municipality_code: str | None,
    organisation_number: str | None,
    page: PageParams,
) -> tuple[list[School], int]:
    matching = equal_to(
        (School.arm, arm),
        (School.municipality_code, municipality_code),
        (School.organisation_number, organisation_number),
    )
    query = select(School).where(*matching).order_by(School.school_unit_code)
    return await page_of(session, query, page)
