"""SQL of indicators."""

from collections.abc import Sequence

from sqlalchemy import insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import insert_or_raise, page_of
from common.pagination import PageParams
from services.goals.indicators.models import Indicator
from services.goals.problems import IndicatorExists


async def of_plans(session: AsyncSession, plan_ids: Sequence[int]) -> dict[int, list[Indicator]]:
    """Each plan's indicators, in the order they were made."""
    found: dict[int, list[Indicator]] = {plan_id: [] for plan_id in plan_ids}
    if plan_ids:
        rows = await session.scalars(
            select(Indicator).where(Indicator.plan_id.in_(plan_ids)).order_by(Indicator.id)
        )
        for indicator in rows:
            found[indicator.plan_id].append(indicator)
    return found


async def page_of_plan(
    session: AsyncSession, plan_id: int, *, page: PageParams
) -> tuple[list[Indicator], int]:
    query = select(Indicator).where(Indicator.plan_id == plan_id)
    return await page_of(session, query.order_by(Indicator.id), page)


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Indicator]:
    if not ids:
        return {}
    rows = await session.scalars(select(Indicator).where(Indicator.id.in_(set(ids))))
    return {indicator.id: indicator for indicator in rows}


async def find_by_name(
    session: AsyncSession, *, plan_id: int, goal_code: str, name: str
) -> Indicator | None:
    found: Indicator | None = await session.scalar(
        select(Indicator).where(
            Indicator.plan_id == plan_id, Indicator.goal_code == goal_code, Indicator.name == name
        )
    )
    return found


async def find_national(session: AsyncSession, *, plan_id: int, code: str) -> Indicator | None:
    found: Indicator | None = await session.scalar(
        select(Indicator).where(Indicator.plan_id == plan_id, Indicator.national_code == code)
    )
    return found


async def add(session: AsyncSession, indicator: Indicator, *, exists: IndicatorExists) -> None:
    """Insert the indicator; `exists` when its goal got one of that name meanwhile."""
    await insert_or_raise(session, indicator, exists=exists)


COPIED = (
    "goal_code",
    "name",
    "measure",
    "direction",
    "unit",
    "national_code",
    "baseline_number",
    "baseline_flag",
    "baseline_text",
    "target_number",
    "target_flag",
    "target_text",
)
"""What a copy of an indicator takes from the original (not its id, plan or author)."""


async def copy_to_plan(
    session: AsyncSession, *, source_id: int, target_id: int, created_by: str
) -> None:
    """Copy every indicator of plan `source_id` into plan `target_id`, in their order."""
    columns = [getattr(Indicator, name) for name in COPIED]
    rows = (
        select(literal(target_id), *columns, literal(created_by))
        .where(Indicator.plan_id == source_id)
        .order_by(Indicator.id)
    )
    await session.execute(insert(Indicator).from_select(["plan_id", *COPIED, "created_by"], rows))
