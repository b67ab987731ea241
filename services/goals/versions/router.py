"""Routes of report versions: /reports/{id}/versions and /reports/{id}/versions/{number}."""

from typing import Annotated

from fastapi import APIRouter

from common.db import SessionDep
from common.pagination import Page, PageDep, id_path
from common.problems import problem_responses
from services.goals.access import ProgressDep
from services.goals.versions import service
from services.goals.versions.schemas import ReportVersionRead, ReportVersionSummary

router = APIRouter(tags=["reports"])

ReportId = Annotated[int, id_path("The report's id.", 11)]
Number = Annotated[int, id_path("The version's number (1 for the first kept).", 2)]


@router.get(
    "/reports/{id}/versions",
    summary="List a report's versions / Lista rapportens versioner",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_versions(
    session: SessionDep, principal: ProgressDep, id: ReportId, page: PageDep
) -> Page[ReportVersionSummary]:
    """Every version the report has kept, oldest first: one at each submission and one at
    each approval, numbered 1, 2, ...; a reopened and edited report makes new versions and
    never changes a kept one. An RSS reads its own county's (404 for another county's); a
    reader reads approved versions only (404 for a report never approved)."""
    return await service.list_versions(session, principal=principal, report_id=id, page=page)


@router.get(
    "/reports/{id}/versions/{number}",
    summary="Read a report version / Läs en version av rapporten",
    responses=problem_responses(401, 403, 404, 422),
)
async def read_version(
    session: SessionDep, principal: ProgressDep, id: ReportId, number: Number
) -> ReportVersionRead:
    """One kept version: the report's values and narratives exactly as they were when it was
    submitted or approved. A reader gets approved versions only (404 otherwise)."""
    return await service.get_version(session, principal=principal, report_id=id, number=number)
