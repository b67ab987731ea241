"""Routes of reports: /reports, their edits (ETag / If-Match) and their workflow."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from starlette.responses import Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep
from common.pagination import Page, PageDep, YearQuery, id_path, id_query
from common.problems import problem_responses
from services.goals.access import AdminDep, PlannerDep, ReporterDep
from services.goals.reports import service, workflow
from services.goals.reports.etag import etag
from services.goals.reports.schemas import (
    PERIOD_PATTERN,
    ReopenRequest,
    ReportAction,
    ReportCreate,
    ReportPatch,
    ReportPreview,
    ReportRead,
    ReportState,
    ReportSummary,
    ReturnRequest,
)

router = APIRouter(tags=["reports"])

ReportId = Annotated[int, id_path("The report's id.", 11)]
DryRun = Annotated[bool, Query(description="Validate and show what would be saved; save nothing.")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The report\'s ETag from GET /reports/{id}, e.g. `"3"`.',
        examples=['"3"'],
    ),
]
ETAG_HEADER = {"ETag": {"description": "The report's version.", "schema": {"type": "string"}}}
PREVIEW = {"model": ReportPreview, "description": "Dry run: what would be saved (nothing is)."}


def report_etag(body: dict[str, Any]) -> dict[str, str]:
    """The ETag of the report in a response body."""
    return {"ETag": etag(body["version"])}


@router.post(
    "/reports",
    status_code=201,
    response_model=ReportRead,
    summary="Create a report / Skapa en rapport",
    responses={200: PREVIEW, **problem_responses(401, 403, 409, 422)},
)
async def create_report(
    body: ReportCreate,
    session: SessionDep,
    principal: ReporterDep,
    idem: IdempotencyDep,
    dry_run: DryRun = False,
) -> Response:
    """A draft report of the county's plan for a period (`2019`, `2019H1`, `2019H2` of the
    plan's year): values for the plan's indicators and a narrative per goal. Only the county's
    RSS writes reports. One report per plan and period (409). A value of the wrong kind for its
    indicator's measure is 422 naming the indicator. `?dry_run=true` answers 200 with what
    would be saved and saves nothing (not even the Idempotency-Key)."""
    if dry_run:
        return await idem.run(
            lambda: service.preview_report(session, principal=principal, data=body),
            payload=body,
            status_code=200,
            store=False,
        )
    return await idem.run(
        lambda: service.create_report(session, principal=principal, data=body),
        payload=body,
        status_code=201,
        headers=report_etag,
    )


@router.get(
    "/reports", summary="List reports / Lista rapporter", responses=problem_responses(401, 403, 422)
)
async def list_reports(
    session: SessionDep,
    principal: PlannerDep,
    page: PageDep,
    county_code: Annotated[
        str | None, Query(pattern=r"^[0-9]{2}$", description="Only this county.", examples=["12"])
    ] = None,
    year: YearQuery = None,
    plan_id: Annotated[int | None, id_query("Only this plan.", 3)] = None,
    period: Annotated[
        str | None, Query(pattern=PERIOD_PATTERN, description="Only this period.")
    ] = None,
    state: Annotated[ReportState | None, Query(description="Only reports in this state.")] = None,
) -> Page[ReportSummary]:
    """Reports, newest year first. An RSS sees its own county's only."""
    return await service.list_reports(
        session,
        principal=principal,
        county_code=county_code,
        year=year,
        plan_id=plan_id,
        period=period,
        state=state,
        page=page,
    )


@router.get(
    "/reports/{id}",
    summary="Read a report / Läs en rapport",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404)},
)
async def read_report(
    session: SessionDep, principal: PlannerDep, id: ReportId, response: Response
) -> ReportRead:
    """A report with its values, narratives and history (every change and move: who, when,
    from which request id, and the comment or reason). The `ETag` header is its version; send
    it as `If-Match` to change the report. Another county's report is 404 for an RSS."""
    report = await service.get_report(session, principal=principal, report_id=id)
    response.headers["ETag"] = etag(report.version)
    return report


@router.patch(
    "/reports/{id}",
    response_model=ReportRead | ReportPreview,
    summary="Change a report / Ändra en rapport",
    responses={
        200: {"headers": ETAG_HEADER},
        **problem_responses(401, 403, 404, 409, 412, 422, 428),
    },
)
async def update_report(
    session: SessionDep,
    principal: ReporterDep,
    id: ReportId,
    body: ReportPatch,
    response: Response,
    if_match: IfMatch = None,
    dry_run: DryRun = False,
) -> ReportRead | ReportPreview:
    """Set values (per indicator) and narratives (per goal) of a draft or returned report; an
    entry with no value, or a narrative with `text: null`, removes it. `If-Match` with the
    report's current ETag is required: 428 without it, 412 when the report has changed since.
    An approved report is locked (409 `report-locked`); a submitted one is under review (409
    `invalid-state-transition`). `?dry_run=true` shows the result and saves nothing."""
    if dry_run:
        return await service.preview_update(
            session, principal=principal, report_id=id, data=body, if_match=if_match
        )
    updated = await service.update_report(
        session, principal=principal, report_id=id, data=body, if_match=if_match
    )
    response.headers["ETag"] = etag(updated.version)
    return updated


MOVE_RESPONSES = {200: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 412, 422)}


@router.post(
    "/reports/{id}/submit",
    response_model=ReportRead,
    summary="Submit a report / Skicka in en rapport",
    responses=MOVE_RESPONSES,
)
async def submit_report(
    session: SessionDep,
    principal: ReporterDep,
    id: ReportId,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    """The county's RSS submits a draft or returned report for approval. An optional
    `If-Match` guards against submitting a version other than the one read (412)."""
    return await idem.run(
        lambda: workflow.move(
            session,
            principal=principal,
            report_id=id,
            action=ReportAction.submit,
            if_match=if_match,
        ),
        payload=None,
        status_code=200,
        headers=report_etag,
    )


@router.post(
    "/reports/{id}/approve",
    response_model=ReportRead,
    summary="Approve a report / Godkänn en rapport",
    responses=MOVE_RESPONSES,
)
async def approve_report(
    session: SessionDep,
    principal: AdminDep,
    id: ReportId,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    """An admin approves a submitted report; from then on it is locked (409 `report-locked`
    for any change) until an admin reopens it."""
    return await idem.run(
        lambda: workflow.move(
            session,
            principal=principal,
            report_id=id,
            action=ReportAction.approve,
            if_match=if_match,
        ),
        payload=None,
        status_code=200,
        headers=report_etag,
    )


@router.post(
    "/reports/{id}/return",
    response_model=ReportRead,
    summary="Return a report / Skicka tillbaka en rapport",
    responses=MOVE_RESPONSES,
)
async def return_report(
    session: SessionDep,
    principal: AdminDep,
    id: ReportId,
    body: ReturnRequest,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    """An admin sends a submitted report back to the county with a comment; the county's RSS
    changes it and submits it again."""
    return await idem.run(
        lambda: workflow.move(
            session,
            principal=principal,
            report_id=id,
            action=ReportAction.return_,
            comment=body.comment,
            if_match=if_match,
        ),
        payload=body,
        status_code=200,
        headers=report_etag,
    )


@router.post(
    "/reports/{id}/reopen",
    response_model=ReportRead,
    summary="Reopen an approved report / Öppna en godkänd rapport",
    responses=MOVE_RESPONSES,
)
async def reopen_report(
    session: SessionDep,
    principal: AdminDep,
    id: ReportId,
    body: ReopenRequest,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    """An admin reopens an approved report, to `returned` (default) or `draft`, with a
    reason; the history records who, when, from which request, and why."""
    return await idem.run(
        lambda: workflow.move(
            session,
            principal=principal,
            report_id=id,
            action=ReportAction.reopen,
            comment=body.reason,
            to_state=body.to_state,
            if_match=if_match,
        ),
        payload=body,
        status_code=200,
        headers=report_etag,
    )
