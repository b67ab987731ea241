"""Rules of indicators: a goal of the plan, a measure, and a baseline and target of its kind;
a county's own, or a national one taken by code."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, writable_county
from common.pagination import Page, PageParams
from common.problems import invalid
from services.goals.indicators import repository
from services.goals.indicators.measures import (
    NUMERIC_MEASURES,
    Reference,
    Scalar,
    parse_reference,
)
from services.goals.indicators.models import Indicator
from services.goals.indicators.schemas import IndicatorCreate, IndicatorRead
from services.goals.national import repository as national
from services.goals.national.schemas import NationalTake
from services.goals.plans import repository as plans
from services.goals.plans.models import Plan
from services.goals.plans.service import ensure_plan_unlocked, visible_plan
from services.goals.problems import IndicatorExists


@dataclass(frozen=True)
class Definition:
    """What an indicator measures, whoever defined it."""

    goal_code: str
    name: str
    measure: str
    direction: str | None
    unit: str | None
    national_code: str | None = None


def _reference(definition: Definition, field: str, raw: Scalar) -> Reference:
    try:
        return parse_reference(definition.measure, raw)
    except ValueError as exc:
        raise invalid(
            detail=f"The {field} of indicator {definition.name!r} does not fit its measure "
            f"{definition.measure}: {exc}.",
            location=f"body.{field}",
            message=str(exc),
            value=raw,
        ) from None


async def _writable_plan(session: AsyncSession, principal: Principal, plan_id: int) -> Plan:
    """The plan, if the principal may change it: its county's, and not locked."""
    plan = await visible_plan(session, principal=principal, plan_id=plan_id)
    writable_county(principal, plan.county_code)
    await ensure_plan_unlocked(session, plan)
    return plan


async def _add(
    session: AsyncSession,
    *,
    principal: Principal,
    plan: Plan,
    definition: Definition,
    baseline: Scalar,
    target: Scalar,
    location: str,
) -> IndicatorRead:
    """Add the indicator to one of the plan's goals, once per goal and name."""
    goal_code = definition.goal_code
    if goal_code not in (await plans.goal_codes(session, [plan.id]))[plan.id]:
        raise invalid(
            detail=f"Goal {goal_code} is not in plan {plan.id}.",
            location=location,
            message="not a goal of the plan",
            value=goal_code,
        )
    first, last = (
        _reference(definition, "baseline", baseline),
        _reference(definition, "target", target),
    )
    name = definition.name
    exists = IndicatorExists(
        f"Goal {goal_code} of plan {plan.id} already has an indicator {name!r}."
    )
    if await repository.find_by_name(session, plan_id=plan.id, goal_code=goal_code, name=name):
        raise exists
    indicator = Indicator(
        plan_id=plan.id,
        goal_code=goal_code,
        name=name,
        measure=definition.measure,
        direction=definition.direction,
        unit=definition.unit,
        national_code=definition.national_code,
        baseline_number=first.number,
        baseline_flag=first.flag,
        baseline_text=first.text,
        target_number=last.number,
        target_flag=last.flag,
        target_text=last.text,
        created_by=principal.client_id,
    )
    await repository.add(session, indicator, exists=exists)
    return IndicatorRead.of(indicator)


async def create_indicator(
    session: AsyncSession, *, principal: Principal, plan_id: int, data: IndicatorCreate
) -> IndicatorRead:
    """Add an indicator to one of the plan's goals (admin, or the county's rss); 409
    plan-locked once the plan has an approved report."""
    plan = await _writable_plan(session, principal, plan_id)
    if data.measure in NUMERIC_MEASURES and data.direction is None:
        raise invalid(
            detail=f"A {data.measure} indicator needs a direction (increase or decrease).",
            location="body.direction",
            message="required for a count or percentage",
        )
    definition = Definition(
        data.goal_code.upper(), data.name, data.measure, data.direction, data.unit
    )
    return await _add(
        session,
        principal=principal,
        plan=plan,
        definition=definition,
        baseline=data.baseline,
        target=data.target,
        location="body.goal_code",
    )


async def take_national(
    session: AsyncSession, *, principal: Principal, plan_id: int, data: NationalTake
) -> IndicatorRead:
    """Take a national indicator into the plan by code, with the county's baseline and
    target (admin, or the county's rss); once per plan."""
    plan = await _writable_plan(session, principal, plan_id)
    found = await national.get(session, data.code.upper())
    if found is None:
        raise invalid(
            detail=f"There is no national indicator {data.code}.",
            location="body.code",
            message="no such national indicator",
            value=data.code,
        )
    if await repository.find_national(session, plan_id=plan.id, code=found.code):
        raise IndicatorExists(f"Plan {plan.id} has taken {found.code} already.", code=found.code)
    definition = Definition(
        found.goal_code, found.name, found.measure, found.direction, found.unit, found.code
    )
    return await _add(
        session,
        principal=principal,
        plan=plan,
        definition=definition,
        baseline=data.baseline,
        target=data.target,
        location="body.code",
    )


async def list_indicators(
    session: AsyncSession, *, principal: Principal, plan_id: int, page: PageParams
) -> Page[IndicatorRead]:
    """The plan's indicators, in the order they were added."""
    plan = await visible_plan(session, principal=principal, plan_id=plan_id)
    rows, total = await repository.page_of_plan(session, plan.id, page=page)
    return Page.of([IndicatorRead.of(indicator) for indicator in rows], total, page)
