"""Rules of the national indicator set: defined by an admin for a programme goal, read by
everyone, and taken by code into a county's plan (see indicators.service.take_national)."""

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.pagination import Page, PageParams
from common.problems import NotFound, invalid
from services.goals.catalogue import repository as catalogue
from services.goals.catalogue.schemas import GoalKind
from services.goals.indicators.measures import NUMERIC_MEASURES, Measure
from services.goals.national import repository
from services.goals.national.models import NationalIndicator
from services.goals.national.schemas import NationalIndicatorCreate, NationalIndicatorRead
from services.goals.problems import NationalIndicatorExists


async def _check(session: AsyncSession, data: NationalIndicatorCreate) -> None:
    goal = await catalogue.get_goal(session, data.goal_code.upper())
    if goal is None or goal.kind == GoalKind.county:
        raise invalid(
            detail=f"{data.goal_code} is not a programme goal (A1–A3, K1–K5).",
            location="body.goal_code",
            message="not a programme goal",
            value=data.goal_code,
        )
    if data.measure in NUMERIC_MEASURES and data.direction is None:
        raise invalid(
            detail=f"A {data.measure} indicator needs a direction (increase or decrease).",
            location="body.direction",
            message="required for a count or percentage",
        )
    for field in ("numerator", "denominator"):
        if getattr(data, field) is not None and data.measure != Measure.percentage:
            raise invalid(
                detail=f"Only a percentage has a {field}; {data.code} is a {data.measure}.",
                location=f"body.{field}",
                message="only for a percentage",
                value=getattr(data, field),
            )


async def create_national(
    session: AsyncSession, *, principal: Principal, data: NationalIndicatorCreate
) -> NationalIndicatorRead:
    """Define a national indicator of a programme goal (admin)."""
    await _check(session, data)
    exists = NationalIndicatorExists(
        f"National indicator {data.code} already exists.", code=data.code
    )
    if await repository.get(session, data.code) is not None:
        raise exists
    indicator = NationalIndicator(
        **data.model_dump(exclude={"goal_code"}),
        goal_code=data.goal_code.upper(),
        created_by=principal.client_id,
    )
    await repository.add(session, indicator, exists=exists)
    return NationalIndicatorRead.model_validate(indicator)


async def get_national(session: AsyncSession, code: str) -> NationalIndicatorRead:
    """One national indicator by code."""
    found = await repository.get(session, code)
    if found is None:
        raise NotFound(f"No national indicator {code}.")
    return NationalIndicatorRead.model_validate(found)


async def list_national(
    session: AsyncSession, *, goal_code: str | None, page: PageParams
) -> Page[NationalIndicatorRead]:
    """The national indicator set, by goal and code."""
    rows, total = await repository.list_national(session, goal_code=goal_code, page=page)
    return Page.of([NationalIndicatorRead.model_validate(row) for row in rows], total, page)
