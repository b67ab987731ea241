"""/funding/v1/applications: reading applications, and each step after submission."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from common.db import SessionDep
from common.idempotency import RequiredIdempotencyDep
from common.pagination import Page, PageDep, id_path, id_query
from common.problems import problem_responses
from common.reference import OrganisationNumber
from services.funding.access import AdminDep, GrantsDep
from services.funding.grants import lifecycle, service
from services.funding.grants.schemas import (
    ApplicationDetail,
    ApplicationFilter,
    ApplicationRead,
    ApplicationState,
    DecisionCreate,
    PaymentCreate,
    RepaymentCreate,
    SettlementCreate,
)

router = APIRouter(prefix="/applications", tags=["grants"])
ApplicationId = Annotated[int, id_path("The application's id.", 12)]
MONEY_PROBLEMS = problem_responses(401, 403, 404, 409, 422)


@router.get(
    "", summary="List applications / Lista ansökningar", responses=problem_responses(401, 403, 422)
)
async def list_applications(
    session: SessionDep,
    principal: GrantsDep,
    page: PageDep,
    call_id: Annotated[int | None, id_query("Only this call's applications.", 1)] = None,
    state: Annotated[ApplicationState | None, Query(examples=["submitted"])] = None,
    organisation_number: Annotated[
        OrganisationNumber | None, Query(examples=["212000-1124"])
    ] = None,
) -> Page[ApplicationRead]:
    """Applications, oldest first, with their money; an organiser sees its own only."""
    filters = ApplicationFilter(
        call_id=call_id, state=state, organisation_number=organisation_number
    )
    applications, total = await service.list_applications(
        session, principal=principal, filters=filters, page=page
    )
    return Page.of(applications, total, page)


@router.get(
    "/{id}",
    summary="Get an application and its history / Hämta en ansökan och dess historik",
    responses=problem_responses(401, 403, 404),
)
async def get_application(
    id: ApplicationId, session: SessionDep, principal: GrantsDep
) -> ApplicationDetail:
    """One application with its money and its history: every step, by whom (client id), when
    and in which request. Another organiser's application is 404."""
    return await service.get_application(session, application_id=id, principal=principal)


@router.post(
    "/{id}/decision",
    response_model=ApplicationDetail,
    summary="Decide on an application / Besluta om en ansökan",
    responses=MONEY_PROBLEMS,
)
async def decide(
    id: ApplicationId,
    body: DecisionCreate,
    session: SessionDep,
    admin: AdminDep,
    idem: RequiredIdempotencyDep,
) -> Response:
    """`{"decision": "approve", "approved_amount_ore"}` reserves the amount on the call's pool
    (a pending `grant` transfer to the organiser's grant account, opened now if needed), so
    approvals never promise more than the pool holds (else 409 `insufficient-funds`); the
    amount is at most what was asked and the call's maximum (else 422).
    `{"decision": "reject", "reason"}` rejects. Only a `submitted` application is decided
    (else 409 `invalid-application-state`). `Idempotency-Key` is required."""

    async def effect() -> ApplicationDetail:
        return await lifecycle.decide(session, application_id=id, decision=body, principal=admin)

    return await idem.run(effect, payload=body, status_code=200)


@router.post(
    "/{id}/payments",
    status_code=201,
    response_model=ApplicationDetail,
    summary="Pay a grant / Betala ut beviljade medel",
    responses=MONEY_PROBLEMS,
)
async def pay(
    id: ApplicationId,
    body: PaymentCreate,
    session: SessionDep,
    admin: AdminDep,
    idem: RequiredIdempotencyDep,
) -> Response:
    """Pay `amount_ore` of what is still reserved to the organiser's grant account (a posted
    `payment` transfer; the rest stays reserved). More than is left of the approved amount
    is 409 `exceeds-approved-amount`. Returns the application. `Idempotency-Key` is
    required."""

    async def effect() -> ApplicationDetail:
        return await lifecycle.pay(session, application_id=id, data=body, principal=admin)

    return await idem.run(effect, payload=body, status_code=201)


@router.post(
    "/{id}/settlement",
    response_model=ApplicationDetail,
    summary="Settle a grant / Redovisa medlen",
    responses=MONEY_PROBLEMS,
)
async def settle(
    id: ApplicationId,
    body: SettlementCreate,
    session: SessionDep,
    principal: GrantsDep,
    idem: RequiredIdempotencyDep,
) -> Response:
    """The organiser's (or an admin's) account of the funds: `used_amount_ore` of what was
    paid (more is 422). What is still reserved is released to the pool; what was paid but not
    used becomes a repayment claim (state `repayment_due`), else the application is `closed`.
    `Idempotency-Key` is required."""

    async def effect() -> ApplicationDetail:
        return await lifecycle.settle(session, application_id=id, data=body, principal=principal)

    return await idem.run(effect, payload=body, status_code=200)


@router.post(
    "/{id}/repayments",
    status_code=201,
    response_model=ApplicationDetail,
    summary="Record a repayment / Registrera en återbetalning",
    responses=MONEY_PROBLEMS,
)
async def repay(
    id: ApplicationId,
    body: RepaymentCreate,
    session: SessionDep,
    admin: AdminDep,
    idem: RequiredIdempotencyDep,
) -> Response:
    """Unused funds paid back: a `repayment` transfer from the grant account to the call's
    pool, at most what is still owed (else 409 `exceeds-repayment-claim`); when all is
    repaid the application is `closed`. Returns the application. `Idempotency-Key` is
    required."""

    async def effect() -> ApplicationDetail:
        return await lifecycle.repay(session, application_id=id, data=body, principal=admin)

    return await idem.run(effect, payload=body, status_code=201)
