"""SQL of indicators."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.indicators.models import Indicator


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
    session: AsyncSession, plan_id: int, *, limit: int, offset: int
) -> tuple[Sequence[Indicator], int]:
    query = select(Indicator).where(Indicator.plan_id == plan_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(Indicator.id).limit(limit).offset(offset))
    return rows.all(), total or 0


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


def add(session: AsyncSession, indicator: Indicator) -> None:
    session.add(indicator)
