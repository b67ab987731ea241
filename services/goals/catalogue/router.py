"""Routes of the goal catalogue: /goals."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep
from common.pagination import Page, PageDep
from common.problems import problem_responses
from services.goals.access import AnyRoleDep, PlannerDep
from services.goals.catalogue import service
from services.goals.catalogue.schemas import GoalCreate, GoalKind, GoalRead

router = APIRouter(tags=["goals"])

CountyFilter = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{2}$", description="Only this county's own goals.", examples=["12"]),
]


@router.get("/goals", summary="List goals / Lista mål", responses=problem_responses(401, 403, 422))
async def list_goals(
    session: SessionDep,
    principal: AnyRoleDep,
    page: PageDep,
    kind: Annotated[
        GoalKind | None, Query(description="Only goals of this kind.", examples=["kvinnofrid"])
    ] = None,
    county_code: CountyFilter = None,
) -> Page[GoalRead]:
    """The goal catalogue: the agreement goals A1–A3, the kvinnofrid goals K1–K5, and the
    counties' own goals (each visible only to admin and to its county's RSS)."""
    return await service.list_goals(
        session, principal=principal, kind=kind, county_code=county_code, page=page
    )


@router.get(
    "/goals/{code}", summary="Read a goal / Läs ett mål", responses=problem_responses(401, 403, 404)
)
async def read_goal(
    session: SessionDep,
    principal: AnyRoleDep,
    code: Annotated[str, Path(max_length=16, examples=["K1"])],
) -> GoalRead:
    """One goal by code, with its Swedish and English title."""
    return await service.get_goal(session, principal=principal, code=code.upper())


@router.post(
    "/goals",
    status_code=201,
    response_model=GoalRead,
    summary="Add a county's own goal / Lägg till ett eget mål",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_goal(
    body: GoalCreate,
    session: SessionDep,
    principal: PlannerDep,
    idem: IdempotencyDep,
) -> Response:
    """A county's own goal, owned by that county: admin, or the county's RSS. The code is
    `<county>-E<n>` unless one is given (it must begin with the county's code)."""
    return await idem.run(
        lambda: service.create_goal(session, principal=principal, data=body),
        payload=body,
        status_code=201,
    )
