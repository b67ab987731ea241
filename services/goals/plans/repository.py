"""SQL of plans and their goals."""

from collections.abc import Sequence

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.plans.models import Plan, PlanGoal


async def get_plan(session: AsyncSession, plan_id: int) -> Plan | None:
    return await session.get(Plan, plan_id)


async def find_plan(session: AsyncSession, *, county_code: str, year: int) -> Plan | None:
    found: Plan | None = await session.scalar(
        select(Plan).where(Plan.county_code == county_code, Plan.year == year)
    )
    return found


async def plans_of_year(session: AsyncSession, year: int) -> Sequence[Plan]:
    return (await session.scalars(select(Plan).where(Plan.year == year))).all()


async def plans_for(
    session: AsyncSession, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], Plan]:
    """The plans of the given (county_code, year) pairs."""
    if not keys:
        return {}
    pairs = tuple_(Plan.county_code, Plan.year).in_(sorted(set(keys)))
    rows = await session.scalars(select(Plan).where(pairs))
    return {(plan.county_code, plan.year): plan for plan in rows}


async def goal_codes(session: AsyncSession, plan_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each plan's goal codes."""
    found: dict[int, list[str]] = {plan_id: [] for plan_id in plan_ids}
    if plan_ids:
        rows = await session.execute(
            select(PlanGoal.plan_id, PlanGoal.goal_code).where(PlanGoal.plan_id.in_(plan_ids))
        )
        for plan_id, code in rows:
            found[plan_id].append(code)
    return found


async def list_plans(
    session: AsyncSession,
    *,
    county_code: str | None,
    year: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Plan], int]:
    query = select(Plan)
    if county_code is not None:
        query = query.where(Plan.county_code == county_code)
    if year is not None:
        query = query.where(Plan.year == year)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Plan.year.desc(), Plan.county_code).limit(limit).offset(offset)
    )
    return rows.all(), total or 0


async def add_plan(session: AsyncSession, plan: Plan, codes: Sequence[str]) -> None:
    """Insert the plan and its goals (flushes, so a duplicate raises here)."""
    session.add(plan)
    await session.flush()
    await session.execute(
        insert(PlanGoal), [{"plan_id": plan.id, "goal_code": code} for code in codes]
    )


async def latest_year(session: AsyncSession) -> int | None:
    """The latest year any county has a plan for."""
    year: int | None = await session.scalar(select(func.max(Plan.year)))
    return year
