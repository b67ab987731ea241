"""SQL of the goal catalogue."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, Role
from services.goals.catalogue.models import Goal


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """Programme goals for everyone; a county's own goals for admin and that county's rss."""
    if principal.role is Role.admin:
        return true()
    own = Goal.county_code == principal.county_code if principal.role is Role.rss else false()
    return or_(Goal.kind != "county", own)


async def list_goals(
    session: AsyncSession,
    *,
    principal: Principal,
    kind: str | None,
    county_code: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Goal], int]:
    query = select(Goal).where(visible_to(principal))
    if kind is not None:
        query = query.where(Goal.kind == kind)
    if county_code is not None:
        query = query.where(Goal.county_code == county_code)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Goal.kind == "county", Goal.code).limit(limit).offset(offset)
    )
    return rows.all(), total or 0


async def visible_goals(
    session: AsyncSession, *, principal: Principal, codes: Sequence[str] | None = None
) -> dict[str, Goal]:
    """The goals the principal may see, by code (only `codes` when given)."""
    query = select(Goal).where(visible_to(principal))
    if codes is not None:
        query = query.where(Goal.code.in_(codes))
    rows = await session.scalars(query.order_by(Goal.kind == "county", Goal.code))
    return {goal.code: goal for goal in rows}


async def get_goal(session: AsyncSession, code: str) -> Goal | None:
    return await session.get(Goal, code)


async def county_goal_codes(session: AsyncSession, county_code: str) -> Sequence[str]:
    rows = await session.scalars(select(Goal.code).where(Goal.county_code == county_code))
    return rows.all()


def add_goal(session: AsyncSession, goal: Goal) -> None:
    session.add(goal)
