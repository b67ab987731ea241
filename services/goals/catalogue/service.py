"""Rules of the goal catalogue: who sees a county's own goal, and how its code is made."""

import re

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, writable_county
from common.pagination import Page, PageParams
from common.problems import NotFound, invalid
from services.goals.catalogue import repository
from services.goals.catalogue.models import Goal
from services.goals.catalogue.schemas import GoalCreate, GoalKind, GoalRead
from services.goals.problems import GoalExists

_GENERATED = re.compile(r"^[0-9]{2}-E([0-9]+)$")


def goal_read(goal: Goal) -> GoalRead:
    return GoalRead(
        code=goal.code,
        title=goal.title,
        title_en=goal.title_en,
        kind=goal.kind,
        county_code=goal.county_code,
    )


async def list_goals(
    session: AsyncSession,
    *,
    principal: Principal,
    kind: GoalKind | None,
    county_code: str | None,
    page: PageParams,
) -> Page[GoalRead]:
    """The catalogue as the principal may see it, programme goals first."""
    goals, total = await repository.list_goals(
        session,
        principal=principal,
        kind=kind,
        county_code=county_code,
        page=page,
    )
    return Page.of([goal_read(goal) for goal in goals], total, page)


async def get_goal(session: AsyncSession, *, principal: Principal, code: str) -> GoalRead:
    """One goal; a county's own goal is 404 to anyone but admin and that county's rss."""
    found = await repository.visible_goals(session, principal=principal, codes=[code])
    if code not in found:
        raise NotFound(f"No goal {code}.")
    return goal_read(found[code])


async def _next_code(session: AsyncSession, county_code: str) -> str:
    numbers = [
        int(match[1])
        for code in await repository.county_goal_codes(session, county_code)
        if (match := _GENERATED.match(code))
    ]
    return f"{county_code}-E{max(numbers, default=0) + 1}"


async def create_goal(session: AsyncSession, *, principal: Principal, data: GoalCreate) -> GoalRead:
    """Add a county's own goal (admin, or the county's rss)."""
    writable_county(principal, data.county_code)
    code = data.code or await _next_code(session, data.county_code)
    if not code.startswith(f"{data.county_code}-"):
        raise invalid(
            "body.code",
            f"must begin with {data.county_code}-",
            code,
            detail=f"A goal of county {data.county_code} has a code beginning {data.county_code}-.",
        )
    exists = GoalExists(f"Goal {code} already exists.", code=code)
    if await repository.get_goal(session, code) is not None:
        raise exists
    goal = Goal(
        code=code,
        title=data.title,
        title_en=data.title_en,
        kind=GoalKind.county,
        county_code=data.county_code,
        created_by=principal.client_id,
    )
    await repository.add_goal(session, goal, exists=exists)
    return goal_read(goal)
