"""/funding/v1/calls: calls for school development grants, interests and applications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep
from common.pagination import Page, PageDep, id_path
from common.problems import problem_responses
from services.funding.access import AdminDep, GrantsDep
from services.funding.grants import service, views
from services.funding.grants.schemas import (
    ApplicationCreate,
    ApplicationDetail,
    CallCreate,
    CallRead,
    InterestCreate,
    InterestRead,
)

router = APIRouter(prefix="/calls", tags=["grants"])
CallId = Annotated[int, id_path("The call's id.", 1)]


@router.post(
    "",
    status_code=201,
    response_model=CallRead,
    summary="Open a call for applications / Skapa en utlysning",
    responses=problem_responses(401, 403, 422),
)
async def create_call(
    body: CallCreate,
    session: SessionDep,
    admin: AdminDep,
    idem: IdempotencyDep,
) -> Response:
    """A call paid from a `budget` account (the pool): its window [`opens_at`, `closes_at`),
    the most one organiser may get, the number of schools an application names, and who may
    apply (`municipal`: municipalities only). `Idempotency-Key` is accepted."""

    async def effect() -> CallRead:
        return views.call_read(await service.create_call(session, data=body, principal=admin))

    return await idem.run(effect, payload=body, status_code=201)


@router.get(
    "", summary="List calls / Lista utlysningar", responses=problem_responses(401, 403, 422)
)
async def list_calls(
    session: SessionDep,
    principal: GrantsDep,
    page: PageDep,
    pool_account: Annotated[
        str | None, Query(max_length=100, examples=["2019.kvinnofrid.skolor"])
    ] = None,
) -> Page[CallRead]:
    """Calls, oldest first, optionally those of one pool account."""
    calls, total = await service.list_calls(session, pool_account=pool_account, page=page)
    return Page.of([views.call_read(c) for c in calls], total, page)


@router.get(
    "/{id}", summary="Get a call / Hämta en utlysning", responses=problem_responses(401, 403, 404)
)
async def get_call(id: CallId, session: SessionDep, principal: GrantsDep) -> CallRead:
    """One call, with `is_open` for now."""
    return views.call_read(await service.get_call(session, call_id=id))


@router.post(
    "/{id}/interests",
    status_code=201,
    response_model=InterestRead,
    summary="Express interest in a call / Anmäl intresse",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def express_interest(
    id: CallId,
    body: InterestCreate,
    session: SessionDep,
    principal: GrantsDep,
    idem: IdempotencyDep,
) -> Response:
    """A non-binding expression of interest, until the call closes (then 409
    `call-not-open`); one per organiser (else 409 `interest-exists`). An organiser expresses
    interest for its own organisation number only (else 403). `Idempotency-Key` is accepted."""

    async def effect() -> InterestRead:
        interest = await service.express_interest(
            session, call_id=id, data=body, principal=principal
        )
        return InterestRead.model_validate(interest)

    return await idem.run(effect, payload=body, status_code=201)


@router.get(
    "/{id}/interests",
    summary="List expressions of interest / Lista intresseanmälningar",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_interests(
    id: CallId, session: SessionDep, principal: GrantsDep, page: PageDep
) -> Page[InterestRead]:
    """A call's expressions of interest, oldest first; an organiser sees its own."""
    interests, total = await service.list_interests(
        session, call_id=id, principal=principal, page=page
    )
    return Page.of([InterestRead.model_validate(i) for i in interests], total, page)


@router.post(
    "/{id}/applications",
    status_code=201,
    response_model=ApplicationDetail,
    summary="Apply for a grant / Ansök om utvecklingsmedel",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def submit_application(
    id: CallId,
    body: ApplicationCreate,
    session: SessionDep,
    principal: GrantsDep,
    idem: IdempotencyDep,
) -> Response:
    """An application to the call, in state `submitted`. Refused with 422 naming the field:
    a malformed organisation number (Luhn) or school unit code (eight digits), an organiser
    the call is not open to (a `municipal` call takes 212000-NNNN only), too few or too many
    schools, or more than the call's maximum per organiser. Outside the call's window
    [`opens_at`, `closes_at`) it is 409 `call-not-open`; a second application from the same
    organiser is 409 `already-applied`. An organiser applies for its own organisation number
    only (else 403). `Idempotency-Key` is accepted."""

    async def effect() -> ApplicationDetail:
        return await service.submit_application(session, call_id=id, data=body, principal=principal)

    return await idem.run(effect, payload=body, status_code=201)
