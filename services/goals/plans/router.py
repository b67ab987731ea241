"""Routes of plans and their indicators: /plans, /plans/{id}/indicators."""

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep
from common.pagination import Page, PageDep, YearQuery, id_path
from common.problems import problem_responses
from services.goals.access import PlannerDep
from services.goals.indicators import service as indicators
from services.goals.indicators.schemas import IndicatorCreate, IndicatorRead
from services.goals.plans import service
from services.goals.plans.schemas import PlanCopy, PlanCreate, PlanRead

router = APIRouter(tags=["plans"])

PlanId = Annotated[int, id_path("The plan's id.", 3)]


@router.post(
    "/plans",
    status_code=201,
    response_model=PlanRead,
    summary="Create a plan / Skapa en plan",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_plan(
    body: PlanCreate,
    session: SessionDep,
    principal: PlannerDep,
    idem: IdempotencyDep,
) -> Response:
    """A county's plan for one year, with its goals. One per county and year (409 for a
    second). Every plan must include K1 and K2 (422 naming the missing one). An RSS plans
    for its own county only (403 otherwise)."""
    return await idem.run(
        lambda: service.create_plan(session, principal=principal, data=body),
        payload=body,
        status_code=201,
    )


@router.post(
    "/plans/{id}/copy",
    status_code=201,
    response_model=PlanRead,
    summary="Start a new year's plan from a copy / Starta nästa års plan från en kopia",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def copy_plan(
    id: PlanId,
    body: PlanCopy,
    session: SessionDep,
    principal: PlannerDep,
    idem: IdempotencyDep,
) -> Response:
    """A new plan of the same county for a later `year` (422 otherwise), with the copied
    plan's goals and indicators, baselines and targets as they were; the county then adds
    what is new. The copied plan is unchanged (it may be locked). 409 `plan-exists` when the
    county already has a plan for that year; another county's plan is 404 for an RSS."""
    return await idem.run(
        lambda: service.copy_plan(session, principal=principal, plan_id=id, data=body),
        payload=body,
        status_code=201,
    )


@router.get(
    "/plans", summary="List plans / Lista planer", responses=problem_responses(401, 403, 422)
)
async def list_plans(
    session: SessionDep,
    principal: PlannerDep,
    page: PageDep,
    county_code: Annotated[
        str | None, Query(pattern=r"^[0-9]{2}$", description="Only this county.", examples=["12"])
    ] = None,
    year: YearQuery = None,
) -> Page[PlanRead]:
    """Plans with their goals and indicators, newest year first. An RSS sees its own county's."""
    return await service.list_plans(
        session, principal=principal, county_code=county_code, year=year, page=page
    )


@router.get(
    "/plans/{id}", summary="Read a plan / Läs en plan", responses=problem_responses(401, 403, 404)
)
async def read_plan(session: SessionDep, principal: PlannerDep, id: PlanId) -> PlanRead:
    """One plan with its goals and indicators; another county's plan is 404 for an RSS."""
    return await service.get_plan(session, principal=principal, plan_id=id)


@router.post(
    "/plans/{id}/indicators",
    status_code=201,
    response_model=IndicatorRead,
    summary="Add an indicator / Lägg till en indikator",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_indicator(
    id: PlanId,
    body: IndicatorCreate,
    session: SessionDep,
    principal: PlannerDep,
    idem: IdempotencyDep,
) -> Response:
    """An indicator for one of the plan's goals: measure `count`, `percentage`, `boolean` or
    `text`; direction (required for count and percentage); unit; baseline and target of the
    measure's kind (422 otherwise). Once the plan has an approved report (approved now or
    ever, even if reopened since) its goals and indicators are locked: 409 `plan-locked`."""
    return await idem.run(
        lambda: indicators.create_indicator(session, principal=principal, plan_id=id, data=body),
        payload=body,
        status_code=201,
    )


@router.get(
    "/plans/{id}/indicators",
    summary="List a plan's indicators / Lista planens indikatorer",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_indicators(
    session: SessionDep, principal: PlannerDep, id: PlanId, page: PageDep
) -> Page[IndicatorRead]:
    """The plan's indicators, in the order they were added."""
    return await indicators.list_indicators(session, principal=principal, plan_id=id, page=page)
