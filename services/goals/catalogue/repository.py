"""SQL of the goal catalogue."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, Role
from common.db import equal_to, insert_or_raise, page_of
from common.pagination import PageParams
from services.goals.catalogue.models import Goal
from services.goals.catalogue.schemas import GoalKind
from services.goals.problems import GoalExists


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """Programme goals for everyone; a county's own goals for admin and that county's rss."""
    if principal.role is Role.admin:
        return true()
    own = Goal.county_code == principal.county_code if principal.role is Role.rss else false()
    return or_(Goal.kind != GoalKind.county, own)


async def list_goals(
    session: AsyncSession,
    *,
    principal: Principal,
    kind: GoalKind | None,
    county_code: str | None,
    page: PageParams,
) -> tuple[list[Goal], int]:
    matching = equal_to((Goal.kind, kind), (Goal.county_code, county_code))
    query = select(Goal).where(visible_to(principal), *matching)
    return await page_of(session, query.order_by(Goal.kind == GoalKind.county, Goal.code), page)


async def visible_goals(
    session: AsyncSession, *, principal: Principal, codes: Sequence[str] | None = None
) -> dict[str, Goal]:
    """The goals the principal may see, by code (only `codes` when given)."""
    query = select(Goal).where(visible_to(principal))
    if codes is not None:
        query = query.where(Goal.code.in_(codes))
    rows = await session.scalars(query.order_by(Goal.kind == GoalKind.county, Goal.code))
    return {goal.code: goal for goal in rows}


async def get_goal(session: AsyncSession, code: str) -> Goal | None:
    return await session.get(Goal, code)


async def county_goal_codes(session: AsyncSession, county_code: str) -> Sequence[str]:
    rows = await session.scalars(select(Goal.code).where(Goal.county_code == county_code))
    return rows.all()


async def add_goal(session: AsyncSession, goal: Goal, *, exists: GoalExists) -> None:
    """Insert the goal; `exists` when its code was taken meanwhile."""
    await insert_or_raise(session, goal, exists=exists)
