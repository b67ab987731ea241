"""Rules of plans: one per county and year, K1 and K2 always, an rss for its own county."""

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, visible_county, writable_county
from common.pagination import Page, PageParams
from common.problems import InvalidInput, NotFound, field_error, invalid
from services.goals.access import county_scope
from services.goals.catalogue import repository as catalogue
from services.goals.indicators import repository as indicators
from services.goals.indicators.schemas import IndicatorRead
from services.goals.plans import repository
from services.goals.plans.models import Plan
from services.goals.plans.schemas import REQUIRED_GOALS, PlanCopy, PlanCreate, PlanRead
from services.goals.problems import PlanExists, PlanLocked

_PROGRAMME_GOAL = re.compile(r"^[AK][0-9]$")


def goal_order(code: str) -> tuple[bool, str]:
    """Programme goals (A1–A3, K1–K5) first, then a county's own, each by code."""
    return (_PROGRAMME_GOAL.match(code) is None, code)


async def plan_reads(session: AsyncSession, plans: Sequence[Plan]) -> list[PlanRead]:
    ids = [plan.id for plan in plans]
    codes = await repository.goal_codes(session, ids)
    found = await indicators.of_plans(session, ids)
    return [
        PlanRead(
            id=plan.id,
            county_code=plan.county_code,
            year=plan.year,
            goal_codes=sorted(codes[plan.id], key=goal_order),
            indicators=[IndicatorRead.of(indicator) for indicator in found[plan.id]],
            created_at=plan.created_at,
        )
        for plan in plans
    ]


async def visible_plan(session: AsyncSession, *, principal: Principal, plan_id: int) -> Plan:
    """The plan, if the principal may see it (404 for another county's rss)."""
    plan = await repository.get_plan(session, plan_id)
    if plan is None:
        raise NotFound(f"No plan {plan_id}.")
    visible_county(principal, plan.county_code, f"plan {plan_id}")
    return plan


async def ensure_plan_unlocked(session: AsyncSession, plan: Plan) -> None:
    """409 plan-locked once a report of the plan is or was approved: what was approved was
    measured against these goals and indicators, so they stay as they are. The plan's row
    is held (shared) until the change commits, so a concurrent approval waits for it."""
    await repository.hold_plan(session, plan.id, exclusive=False)
    report_id = await repository.approved_report_of(session, plan.id)
    if report_id is not None:
        raise PlanLocked(
            f"Plan {plan.id} has an approved report ({report_id}): its goals and indicators "
            f"are locked. Start {plan.year + 1}'s plan from a copy (POST /plans/{plan.id}/copy).",
            plan_id=plan.id,
            report_id=report_id,
        )


async def _goal_errors(
    session: AsyncSession, *, principal: Principal, county_code: str, codes: list[str]
) -> list[dict[str, Any]]:
    goals = await catalogue.visible_goals(session, principal=principal, codes=codes)
    errors: list[dict[str, Any]] = []
    for code in codes:
        goal = goals.get(code)
        if goal is None:
            message = f"{code} is not a goal in the catalogue"
        elif goal.county_code not in (None, county_code):
            message = f"{code} is county {goal.county_code}'s own goal"
        else:
            continue
        errors.append(field_error("body.goal_codes", message, code))
    for required in REQUIRED_GOALS:
        if required not in codes:
            message = f"{required} is missing: every RSS plan must include K1 and K2"
            errors.append(field_error("body.goal_codes", message, codes))
    return errors


async def create_plan(session: AsyncSession, *, principal: Principal, data: PlanCreate) -> PlanRead:
    """A county's plan for a year (admin, or the county's rss), with K1 and K2 in it."""
    writable_county(principal, data.county_code)
    codes = list(dict.fromkeys(code.strip().upper() for code in data.goal_codes))
    errors = await _goal_errors(
        session, principal=principal, county_code=data.county_code, codes=codes
    )
    if errors:
        missing = [code for code in REQUIRED_GOALS if code not in codes]
        detail = (
            f"Every RSS plan must include K1 and K2; missing: {', '.join(missing)}."
            if missing
            else "The plan names goals it cannot have."
        )
        raise InvalidInput(detail, errors=errors)
    duplicate = f"County {data.county_code} already has a plan for {data.year}."
    existing = await repository.find_plan(session, county_code=data.county_code, year=data.year)
    if existing is not None:
        raise PlanExists(duplicate, plan_id=existing.id)
    plan = Plan(county_code=data.county_code, year=data.year, created_by=principal.client_id)
    await repository.add_plan(session, plan, codes, exists=PlanExists(duplicate))
    return (await plan_reads(session, [plan]))[0]


async def copy_plan(
    session: AsyncSession, *, principal: Principal, plan_id: int, data: PlanCopy
) -> PlanRead:
    """A later year's plan of the plan's county with its goals and indicators (baselines and
    targets as they were): admin, or the county's rss."""
    source = await visible_plan(session, principal=principal, plan_id=plan_id)
    writable_county(principal, source.county_code)
    if data.year <= source.year:
        raise invalid(
            detail=f"A copy of plan {source.id} ({source.year}) is for a later year.",
            location="body.year",
            message=f"must be after {source.year}",
            value=data.year,
        )
    duplicate = f"County {source.county_code} already has a plan for {data.year}."
    existing = await repository.find_plan(session, county_code=source.county_code, year=data.year)
    if existing is not None:
        raise PlanExists(duplicate, plan_id=existing.id)
    codes = (await repository.goal_codes(session, [source.id]))[source.id]
    plan = Plan(county_code=source.county_code, year=data.year, created_by=principal.client_id)
    await repository.add_plan(session, plan, codes, exists=PlanExists(duplicate))
    await indicators.copy_to_plan(
        session, source_id=source.id, target_id=plan.id, created_by=principal.client_id
    )
    return (await plan_reads(session, [plan]))[0]


async def get_plan(session: AsyncSession, *, principal: Principal, plan_id: int) -> PlanRead:
    """One plan with its goals and indicators."""
    plan = await visible_plan(session, principal=principal, plan_id=plan_id)
    return (await plan_reads(session, [plan]))[0]


async def list_plans(
    session: AsyncSession,
    *,
    principal: Principal,
    county_code: str | None,
    year: int | None,
    page: PageParams,
) -> Page[PlanRead]:
    """Plans, newest year first; an rss sees its own county's only."""
    scope = county_scope(principal)
    if scope is not None:
        if county_code not in (None, scope):
            return Page.of([], 0, page)
        county_code = scope
    plans, total = await repository.list_plans(
        session, county_code=county_code, year=year, page=page
    )
    return Page.of(await plan_reads(session, plans), total, page)
