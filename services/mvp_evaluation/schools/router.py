"""Routes of schools."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep
from common.pagination import Page, PageDep
from common.problems import problem_responses
from services.mvp_evaluation.access import AnyRoleDep, EvaluatorDep
from services.mvp_evaluation.schools import service
from services.mvp_evaluation.schools.schemas import Arm, SchoolCreate, SchoolRead

router = APIRouter(tags=["schools"])


@router.post(
    "/schools",
    status_code=201,
    response_model=SchoolRead,
    summary="Register a school / Registrera en skola",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_school(
    body: SchoolCreate,
    session: SessionDep,
    principal: EvaluatorDep,
    idem: IdempotencyDep,
) -> Response:
    """Register a school by its school unit code (skolenhetskod), with its organiser's
    organisation number, its municipality and its arm. A code already registered is 409
    `school-exists`."""
    return await idem.run(
        lambda: service.create_school(session, data=body),
        payload=body,
        status_code=201,
    )


@router.get(
    "/schools",
    summary="List schools / Lista skolor",
    responses=problem_responses(401, 403, 422),
)
async def list_schools(
    session: SessionDep,
    principal: AnyRoleDep,
    page: PageDep,
    arm: Annotated[Arm | None, Query(description="Only this arm.")] = None,
    municipality_code: Annotated[
        str | None, Query(description="Only this municipality (kommunkod).", examples=["0180"])
    ] = None,
    organisation_number: Annotated[
        str | None, Query(description="Only this organiser.", examples=["212000-0142"])
    ] = None,
) -> Page[SchoolRead]:
    """The registered schools in school unit code order, optionally filtered."""
    return await service.list_schools(
        session,
        arm=arm,
        municipality_code=municipality_code,
        organisation_number=organisation_number,
        params=page,
    )


@router.get(
    "/schools/{code}",
    summary="Read a school / Läs en skola",
    responses=problem_responses(401, 403, 404),
)
async def read_school(
    code: Annotated[str, Path(description="The school unit code.", examples=["12345678"])],
    session: SessionDep,
    principal: AnyRoleDep,
) -> SchoolRead:
    """One school by its school unit code."""
    return await service.read_school(session, school_unit_code=code)
