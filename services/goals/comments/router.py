"""Routes of comments on a report: /reports/{id}/comments."""

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep
from common.pagination import Page, PageDep, id_path, id_query
from common.problems import problem_responses
from services.goals.access import PlannerDep
from services.goals.comments import service
from services.goals.comments.schemas import CommentCreate, CommentRead

router = APIRouter(tags=["reports"])

ReportId = Annotated[int, id_path("The report's id.", 11)]


@router.post(
    "/reports/{id}/comments",
    status_code=201,
    response_model=CommentRead,
    summary="Comment on a report / Kommentera en rapport",
    responses=problem_responses(401, 403, 404, 422),
)
async def add_comment(
    id: ReportId,
    body: CommentCreate,
    session: SessionDep,
    principal: PlannerDep,
    idem: IdempotencyDep,
) -> Response:
    """A comment on the report, or with `indicator_id` on the value of one of its plan's
    indicators (422 for another indicator), in any state of the report, approved included.
    Kept with who wrote it and when. Admin, and the county's RSS; another county's report is
    404 for an RSS."""
    return await idem.run(
        lambda: service.add_comment(session, principal=principal, report_id=id, data=body),
        payload=body,
        status_code=201,
    )


@router.get(
    "/reports/{id}/comments",
    summary="List a report's comments / Lista rapportens kommentarer",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_comments(
    session: SessionDep,
    principal: PlannerDep,
    id: ReportId,
    page: PageDep,
    indicator_id: Annotated[
        int | None, id_query("Only the comments on this indicator's value.", 7)
    ] = None,
) -> Page[CommentRead]:
    """The conversation on the report, oldest first: visible to admin and to the county's
    RSS, never to another county (404) or a reader (403)."""
    return await service.list_comments(
        session, principal=principal, report_id=id, indicator_id=indicator_id, page=page
    )
