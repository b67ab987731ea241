"""Routes of the national indicator set: /national-indicators, and taking one into a plan:
/plans/{id}/national-indicators."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep
from common.pagination import Page, PageDep, id_path
from common.problems import problem_responses
from services.goals.access import AdminDep, AnyRoleDep, PlannerDep
from services.goals.indicators import service as indicators
from services.goals.indicators.schemas import IndicatorRead
from services.goals.national import service
from services.goals.national.schemas import (
    NATIONAL_CODE,
    NationalIndicatorCreate,
    NationalIndicatorRead,
    NationalTake,
)

router = APIRouter(tags=["national indicators"])


@router.get(
    "/national-indicators",
    summary="List national indicators / Lista nationella indikatorer",
    responses=problem_responses(401, 403, 422),
)
async def list_national(
    session: SessionDep,
    principal: AnyRoleDep,
    page: PageDep,
    goal_code: Annotated[
        str | None,
        Query(max_length=16, description="Only this goal's indicators.", examples=["K1"]),
    ] = None,
) -> Page[NationalIndicatorRead]:
    """The national indicator set: indicators defined once for a programme goal, which every
    county's plan may take by code; progress adds their values up across counties."""
    return await service.list_national(
        session, goal_code=goal_code.upper() if goal_code else None, page=page
    )


@router.get(
    "/national-indicators/{code}",
    summary="Read a national indicator / Läs en nationell indikator",
    responses=problem_responses(401, 403, 404, 422),
)
async def read_national(
    session: SessionDep,
    principal: AnyRoleDep,
    code: Annotated[str, Path(pattern=NATIONAL_CODE, max_length=32, examples=["K2-UTVLEDARE"])],
) -> NationalIndicatorRead:
    """One national indicator by code."""
    return await service.get_national(session, code)


@router.post(
    "/national-indicators",
    status_code=201,
    response_model=NationalIndicatorRead,
    summary="Define a national indicator / Definiera en nationell indikator",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_national(
    body: NationalIndicatorCreate,
    session: SessionDep,
    principal: AdminDep,
    idem: IdempotencyDep,
) -> Response:
    """An admin defines a national indicator of a programme goal (A1–A3, K1–K5; 422 for a
    county's own goal): code, Swedish and English name, measure, unit, direction (required for
    count and percentage) and, for a percentage, what the numerator and denominator count.
    A code taken is 409 `national-indicator-exists`."""
    return await idem.run(
        lambda: service.create_national(session, principal=principal, data=body),
        payload=body,
        status_code=201,
    )


@router.post(
    "/plans/{id}/national-indicators",
    status_code=201,
    response_model=IndicatorRead,
    summary="Take a national indicator into a plan / Ta in en nationell indikator i planen",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def take_national(
    id: Annotated[int, id_path("The plan's id.", 3)],
    body: NationalTake,
    session: SessionDep,
    principal: PlannerDep,
    idem: IdempotencyDep,
) -> Response:
    """The plan takes a national indicator by code, with the county's baseline and target
    (of the measure's kind, 422 otherwise); its name, measure, unit and direction are the
    national definition's. Its goal must be in the plan, and an unknown code is 422. Taken
    twice is 409 `indicator-exists`; a plan with an approved report is 409 `plan-locked`."""
    return await idem.run(
        lambda: indicators.take_national(session, principal=principal, plan_id=id, data=body),
        payload=body,
        status_code=201,
    )
