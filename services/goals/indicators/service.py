"""Rules of indicators: a goal of the plan, a measure, and a baseline and target of its kind."""

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, writable_county
from common.pagination import Page, PageParams
from common.problems import invalid
from services.goals.indicators import repository
from services.goals.indicators.measures import NUMERIC_MEASURES, Reference, parse_reference
from services.goals.indicators.models import Indicator
from services.goals.indicators.schemas import IndicatorCreate, IndicatorRead
from services.goals.plans import repository as plans
from services.goals.plans.service import visible_plan
from services.goals.problems import IndicatorExists


def _reference(data: IndicatorCreate, field: str) -> Reference:
    raw = getattr(data, field)
    try:
        return parse_reference(data.measure, raw)
    except ValueError as exc:
        raise invalid(
            detail=f"The {field} of indicator {data.name!r} does not fit its measure "
            f"{data.measure}: {exc}.",
            location=f"body.{field}",
            message=str(exc),
            value=raw,
        ) from None


async def create_indicator(
    session: AsyncSession, *, principal: Principal, plan_id: int, data: IndicatorCreate
) -> IndicatorRead:
    """Add an indicator to one of the plan's goals (admin, or the county's rss)."""
    plan = await visible_plan(session, principal=principal, plan_id=plan_id)
    writable_county(principal, plan.county_code)
    goal_code = data.goal_code.upper()
    if goal_code not in (await plans.goal_codes(session, [plan.id]))[plan.id]:
        raise invalid(
            detail=f"Goal {goal_code} is not in plan {plan.id}.",
            location="body.goal_code",
            message="not a goal of the plan",
            value=goal_code,
        )
    if data.measure in NUMERIC_MEASURES and data.direction is None:
        raise invalid(
            detail=f"A {data.measure} indicator needs a direction (increase or decrease).",
            location="body.direction",
            message="required for a count or percentage",
        )
    baseline, target = _reference(data, "baseline"), _reference(data, "target")
    exists = IndicatorExists(
        f"Goal {goal_code} of plan {plan.id} already has an indicator {data.name!r}."
    )
    if await repository.find_by_name(session, plan_id=plan.id, goal_code=goal_code, name=data.name):
        raise exists
    indicator = Indicator(
        plan_id=plan.id,
        goal_code=goal_code,
        name=data.name,
        measure=data.measure,
        direction=data.direction,
        unit=data.unit,
        baseline_number=baseline.number,
        baseline_flag=baseline.flag,
        baseline_text=baseline.text,
        target_number=target.number,
        target_flag=target.flag,
        target_text=target.text,
        created_by=principal.client_id,
    )
    await repository.add(session, indicator, exists=exists)
    return IndicatorRead.of(indicator)


async def list_indicators(
    session: AsyncSession, *, principal: Principal, plan_id: int, page: PageParams
) -> Page[IndicatorRead]:
    """The plan's indicators, in the order they were added."""
    plan = await visible_plan(session, principal=principal, plan_id=plan_id)
    rows, total = await repository.page_of_plan(session, plan.id, page=page)
    return Page.of([IndicatorRead.of(indicator) for indicator in rows], total, page)
