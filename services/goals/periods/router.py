"""Routes of reporting periods: /reporting-periods and /reporting-status."""

from typing import Annotated

from fastapi import APIRouter, Header, Query
from starlette.responses import Response

from common.csvfile import document
from common.db import SessionDep
from common.idempotency import IdempotencyDep
from common.pagination import Page, PageDep
from common.problems import problem_responses
from services.goals.access import AdminDep, PlannerDep
from services.goals.periods import service
from services.goals.periods.schemas import PeriodCreate, PeriodRead, ReportingStatus
from services.goals.reports.schemas import PERIOD_PATTERN

router = APIRouter(tags=["reporting periods"])

CSV_EXAMPLE = (
    "period,deadline,county_code,county_name,state,stage,plan_id,report_id\r\n"
    "2019H1,2019-08-31T23:59:59Z,01,Stockholms län,approved,approved,3,11\r\n"
)


@router.post(
    "/reporting-periods",
    status_code=201,
    response_model=PeriodRead,
    summary="Open a reporting period / Öppna en rapportperiod",
    responses=problem_responses(401, 403, 409, 422),
)
async def open_period(
    body: PeriodCreate, session: SessionDep, principal: AdminDep, idem: IdempotencyDep
) -> Response:
    """An admin opens a period (`2019`, `2019H1`, `2019H2`) with the deadline of its reports;
    once per period (409 `reporting-period-exists`)."""
    return await idem.run(
        lambda: service.open_period(session, principal=principal, data=body),
        payload=body,
        status_code=201,
    )


@router.get(
    "/reporting-periods",
    summary="List reporting periods / Lista rapportperioder",
    responses=problem_responses(401, 403, 422),
)
async def list_periods(
    session: SessionDep, principal: PlannerDep, page: PageDep
) -> Page[PeriodRead]:
    """The reporting periods with their deadlines, oldest first."""
    return await service.list_periods(session, page=page)


@router.get(
    "/reporting-status",
    response_model=ReportingStatus,
    summary="Reporting status of the counties / Länens rapportering",
    responses={
        200: {
            "description": "JSON, or CSV with `Accept: text/csv` or `excel=true`.",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}},
        },
        **problem_responses(401, 403, 404, 422),
    },
)
async def reporting_status(
    session: SessionDep,
    principal: PlannerDep,
    period: Annotated[
        str,
        Query(pattern=PERIOD_PATTERN, description="An opened period.", examples=["2019H1"]),
    ],
    excel: Annotated[
        bool,
        Query(description="CSV for Swedish Excel: semicolons and a UTF-8 BOM.", examples=[True]),
    ] = False,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response | ReportingStatus:
    """The 21 counties in the period, each with its state: `no_plan` (no plan for the
    period's year), `plan` (a plan, no report for the period), `draft`, `submitted`,
    `returned`, `approved`, or `overdue` once the deadline has passed without a submitted or
    approved report (`stage` keeps the state beside it); with how many counties are in each
    state. 404 for a period no admin has opened. An RSS sees its own county's row only.
    JSON by default; CSV with `Accept: text/csv`, or for Swedish Excel with `excel=true`."""
    status = await service.reporting_status(session, principal=principal, period=period)
    if excel or "text/csv" in (accept or ""):
        name = f"kvinnofrid-reporting-status-{period}.csv"
        return Response(
            document(service.csv_rows(status), excel=excel),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Vary": "Accept"},
        )
    return status
