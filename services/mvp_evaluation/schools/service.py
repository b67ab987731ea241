"""The rules of schools: one registration per school unit code."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from common.pagination import Page, PageParams
from common.problems import NotFound
from services.mvp_evaluation.schools import repository
from services.mvp_evaluation.schools.models import School
from services.mvp_evaluation.schools.schemas import Arm, SchoolCreate, SchoolRead


async def create_school(session: AsyncSession, *, data: SchoolCreate) -> SchoolRead:
    """Register a school; a school unit code already registered is 409."""
    school = await repository.add(session, School(**data.model_dump()))
    return SchoolRead.model_validate(school)


async def read_school(session: AsyncSession, *, school_unit_code: str) -> SchoolRead:
    """One school by its school unit code."""
    school = await repository.get(session, school_unit_code)
    if school is None:
        raise NotFound(f"No school with school unit code {school_unit_code}.")
    return SchoolRead.model_validate(school)


async def list_schools(
    session: AsyncSession,
    *,
    arm: Arm | None,
    municipality_code: str | None,
    organisation_number: str | None,
    params: PageParams,
) -> Page[SchoolRead]:
    """The registered schools, in school unit code order."""
    rows, total = await repository.page(
        session,
        arm=arm,
        municipality_code=municipality_code,
        organisation_number=organisation_number,
        page=params,
    )
    return Page.of([SchoolRead.model_validate(row) for row in rows], total, params)
