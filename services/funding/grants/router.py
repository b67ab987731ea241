"""/funding/v1/calls: calls for school development grants, interests and applications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep
from common.pagination import Page, PageDep, id_path
from common.problems import problem_responses
from services.funding.access import AdminDep, GrantsDep
from services.funding.config import SettingsDep
from services.funding.grants import calls, reports, service, views
from services.funding.grants.case_schemas import (
    CallChangeRead,
    CallUpdate,
    FollowUpCreate,
    FollowUpRead,
    FollowUpStatus,
)
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
Round = Annotated[
    int, Path(ge=1, le=100, description="The follow-up round's number in the call.", examples=[1])
]


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
    settings: SettingsDep,
) -> Response:
    """A call paid from a `budget` account (the pool): its window [`opens_at`, `closes_at`),
    inside the agreement period (2018-01-01 to 2020-12-31) and the pool's year, Swedish time
    (else 422); the most one organiser may get, the number of schools an application names,
    who may apply (`municipal`: municipalities only), whether an expression of interest must
    come first (`requires_interest`), whether decisions may be made while it is open
    (`rolling`), and when use-of-funds reports are due (`report_due_at`, after the window).
    `Idempotency-Key` is accepted."""

    async def effect() -> CallRead:
        call = await service.create_call(
            session, data=body, principal=admin, years=settings.programme_years
        )
        return views.call_read(call)

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


@router.patch(
    "/{id}",
    response_model=CallRead,
    summary="Change a call / Ändra en utlysning",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_call(
    id: CallId,
    body: CallUpdate,
    session: SessionDep,
    admin: AdminDep,
    settings: SettingsDep,
) -> CallRead:
    """Change the fields given (texts, window, `requires_interest`, `rolling`,
    `report_due_at`), with the `reason`. Each change is kept with the earlier values, who,
    when and why (`GET /calls/{id}/changes`); fields equal to the call's are no change. The
    window stays inside the agreement period and the pool's year, and reports are due after
    it (else 422). Once the call has applications, its window may be extended but not closed
    earlier or opened at another time: 409 `call-has-applications`."""
    call = await calls.update_call(
        session, call_id=id, data=body, principal=admin, years=settings.programme_years
    )
    return views.call_read(call)


@router.get(
    "/{id}/changes",
    summary="List a call's changes / Lista ändringar av en utlysning",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_changes(
    id: CallId, session: SessionDep, principal: GrantsDep, page: PageDep
) -> Page[CallChangeRead]:
    """The call's changes, oldest first: the fields' earlier (`before`) and new (`after`)
    values, who made the change, when, in which request and why."""
    changes, total = await calls.list_changes(session, call_id=id, page=page)
    return Page.of([CallChangeRead.model_validate(c) for c in changes], total, page)


@router.post(
    "/{id}/follow-ups",
    status_code=201,
    response_model=FollowUpRead,
    summary="Open a follow-up round / Öppna en uppföljningsomgång",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def open_follow_up(
    id: CallId,
    body: FollowUpCreate,
    session: SessionDep,
    admin: AdminDep,
    idem: IdempotencyDep,
) -> Response:
    """The call's next follow-up round (numbered 1, 2, ...) for its granted organisers, due
    after the call closes (else 422). Each organiser submits its report to it with
    `POST /applications/{id}/reports` and `follow_up_round`. `Idempotency-Key` is accepted."""

    async def effect() -> FollowUpRead:
        follow_up = await reports.open_follow_up(session, call_id=id, data=body, principal=admin)
        return FollowUpRead.model_validate(follow_up)

    return await idem.run(effect, payload=body, status_code=201)


@router.get(
    "/{id}/follow-ups/{round}",
    summary="Who has reported to a follow-up round / Vilka har redovisat i uppföljningen",
    responses=problem_responses(401, 403, 404, 422),
)
async def follow_up_status(
    id: CallId, round: Round, session: SessionDep, principal: GrantsDep
) -> FollowUpStatus:
    """The round and each organiser granted funds in the call: whether it has reported (a
    returned report does not count), its latest report's number and state, and whether it is
    late. An organiser sees itself only."""
    return await reports.follow_up_status(session, call_id=id, round=round, principal=principal)


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
    organiser is 409 `already-applied`; to a call that `requires_interest`, an organiser that
    has not expressed interest is 409 `interest-required`. An organiser applies for its own
    organisation number only (else 403). `Idempotency-Key` is accepted."""

    async def effect() -> ApplicationDetail:
        return await service.submit_application(session, call_id=id, data=body, principal=principal)

    return await idem.run(effect, payload=body, status_code=201)
