"""/funding/v1/applications: reading applications, and each step after submission."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep, RequiredIdempotencyDep
from common.pagination import Page, PageDep, id_path, id_query
from common.problems import problem_responses
from common.reference import OrganisationNumber
from services.funding.access import AdminDep, GrantsDep
from services.funding.grants import lifecycle, reports, service, views
from services.funding.grants.case_schemas import (
    ReportCreate,
    ReportRead,
    ReportReturn,
    ReportReview,
    WithdrawalCreate,
)
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
ReportNumber = Annotated[
    int, Path(ge=1, le=10_000, description="The report's number in the application.", examples=[1])
]
MONEY_PROBLEMS = problem_responses(401, 403, 404, 409, 422)
CASE_PROBLEMS = problem_responses(401, 403, 404, 409, 422)


@router.get(
    "",
    response_model=Page[ApplicationRead],
    summary="List applications / Lista ansökningar",
    responses={
        200: {
            "description": "A page of applications as JSON; every matching one as CSV with "
            "`Accept: text/csv` or `excel=true`.",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": views.CSV_EXAMPLE}},
        },
        **problem_responses(401, 403, 422),
    },
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
    excel: Annotated[
        bool,
        Query(description="CSV for Swedish Excel: semicolons, decimal commas and a UTF-8 BOM."),
    ] = False,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response | Page[ApplicationRead]:
    """Applications, oldest first, with their money; an organiser sees its own only.

    JSON by default, a page at a time. CSV with `Accept: text/csv` (comma-separated, UTF-8),
    or with `excel=true` for Swedish Excel (semicolons, decimal commas, a UTF-8 byte order
    mark): every matching application (`limit` and `offset` apply to JSON only), one a row,
    with the organiser, organisation number, schools, state, and the requested, approved,
    paid, used and repaid amounts, each in öre with kronor beside it."""
    filters = ApplicationFilter(
        call_id=call_id, state=state, organisation_number=organisation_number
    )
    if excel or "text/csv" in (accept or ""):
        rows = await service.all_applications(session, principal=principal, filters=filters)
        return Response(
            views.applications_csv(rows, excel=excel),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="kvinnofrid-applications.csv"',
                "Vary": "Accept",
            },
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
    (else 409 `invalid-application-state`), after the call has closed unless the call is
    `rolling` (else 409 `call-still-open`). `Idempotency-Key` is required."""

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
    is 409 `exceeds-approved-amount`. The last payment of a grant paid in parts (the one that
    leaves nothing reserved) waits for an approved use-of-funds report: 409
    `report-required`. Returns the application. `Idempotency-Key` is required."""

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
    """Settle the grant on its approved use-of-funds report (without one: 409
    `report-required`): the used amount is the report's (`used_amount_ore` may be left out;
    given, it must be the report's, else 422), and `report` is kept as a free-text note. What
    is still reserved is released to the pool; what was paid but not used becomes a
    repayment claim (state `repayment_due`), else the application is `closed`.
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


@router.post(
    "/{id}/withdraw",
    response_model=ApplicationDetail,
    summary="Withdraw an application / Återkalla en ansökan",
    responses=CASE_PROBLEMS,
)
async def withdraw(
    id: ApplicationId,
    body: WithdrawalCreate,
    session: SessionDep,
    principal: GrantsDep,
    idem: IdempotencyDep,
) -> Response:
    """The organiser (or an admin) withdraws a `submitted` application with the `reason`; it
    becomes `withdrawn`, kept with its history. After a decision it is 409
    `invalid-application-state`. Another organiser's application is 404.
    `Idempotency-Key` is accepted."""

    async def effect() -> ApplicationDetail:
        return await lifecycle.withdraw(session, application_id=id, data=body, principal=principal)

    return await idem.run(effect, payload=body, status_code=200)


@router.post(
    "/{id}/reports",
    status_code=201,
    response_model=ReportRead,
    summary="Report the use of funds / Redovisa medlens användning",
    responses=CASE_PROBLEMS,
)
async def submit_report(
    id: ApplicationId,
    body: ReportCreate,
    session: SessionDep,
    principal: GrantsDep,
    idem: IdempotencyDep,
) -> Response:
    """The organiser's (or an admin's) structured report: the amount used (at most what was
    approved, else 422), the schools, staff and pupils reached, the method, what was done and
    what comes next. On the grant (an `approved` or `paid` application, else 409
    `invalid-application-state`), due by the call's `report_due_at`; or, with
    `follow_up_round`, to that follow-up round of the call (an unknown round is 422). While a
    report (to the same round) awaits review or is approved, another is 409 `report-exists`;
    a returned one is answered by a new report. Numbered 1, 2, ... per application, `late`
    after its deadline. `Idempotency-Key` is accepted."""

    async def effect() -> ReportRead:
        return await reports.submit_report(
            session, application_id=id, data=body, principal=principal
        )

    return await idem.run(effect, payload=body, status_code=201)


@router.get(
    "/{id}/reports",
    summary="List an application's reports / Lista en ansökans redovisningar",
    responses=problem_responses(401, 403, 404),
)
async def list_reports(
    id: ApplicationId, session: SessionDep, principal: GrantsDep
) -> list[ReportRead]:
    """The application's use-of-funds and follow-up reports, by number, with their reviews."""
    return await reports.list_reports(session, application_id=id, principal=principal)


async def _review(
    id: int,
    number: int,
    body: ReportReview | ReportReturn,
    approve: bool,
    session: SessionDep,
    admin: AdminDep,
) -> ReportRead:
    return await reports.review(
        session, application_id=id, number=number, approve=approve, data=body, principal=admin
    )


@router.post(
    "/{id}/reports/{number}/approve",
    response_model=ReportRead,
    summary="Approve a report / Godkänn en redovisning",
    responses=CASE_PROBLEMS,
)
async def approve_report(
    id: ApplicationId,
    number: ReportNumber,
    body: ReportReview,
    session: SessionDep,
    admin: AdminDep,
    idem: IdempotencyDep,
) -> Response:
    """Approve a `submitted` report (else 409 `invalid-report-state`), with an optional
    `comment`. An approved report on the grant lets the grant be settled and its last
    payment be made. `Idempotency-Key` is accepted."""

    async def effect() -> ReportRead:
        return await _review(id, number, body, True, session, admin)

    return await idem.run(effect, payload=body, status_code=200)


@router.post(
    "/{id}/reports/{number}/return",
    response_model=ReportRead,
    summary="Return a report / Skicka tillbaka en redovisning",
    responses=CASE_PROBLEMS,
)
async def return_report(
    id: ApplicationId,
    number: ReportNumber,
    body: ReportReturn,
    session: SessionDep,
    admin: AdminDep,
    idem: IdempotencyDep,
) -> Response:
    """Return a `submitted` report with a `comment` (required, else 422; another state is
    409 `invalid-report-state`); the organiser then submits a new one. `Idempotency-Key` is
    accepted."""

    async def effect() -> ReportRead:
        return await _review(id, number, body, False, session, admin)

    return await idem.run(effect, payload=body, status_code=200)
