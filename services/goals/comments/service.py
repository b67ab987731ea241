"""Rules of comments: admin and the county's rss comment on the county's reports, in any
state; another county's rss gets 404, as for the report itself."""

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.context import current_request_id
from common.pagination import Page, PageParams
from common.problems import invalid
from services.goals.comments import repository
from services.goals.comments.models import ReportComment
from services.goals.comments.schemas import CommentCreate, CommentRead
from services.goals.reports.content import plan_indicators
from services.goals.reports.service import visible_report


async def add_comment(
    session: AsyncSession, *, principal: Principal, report_id: int, data: CommentCreate
) -> CommentRead:
    """A comment on the report, or on the value of one of its plan's indicators."""
    report, plan = await visible_report(session, principal=principal, report_id=report_id)
    if data.indicator_id is not None and data.indicator_id not in await plan_indicators(
        session, plan
    ):
        raise invalid(
            detail=f"Indicator {data.indicator_id} is not an indicator of report {report.id}'s "
            "plan.",
            location="body.indicator_id",
            message="not an indicator of the report's plan",
            value=data.indicator_id,
        )
    comment = ReportComment(
        report_id=report.id,
        indicator_id=data.indicator_id,
        text=data.text,
        author=principal.client_id,
        author_role=principal.role.value,
        request_id=current_request_id(),
    )
    await repository.add(session, comment)
    return CommentRead.model_validate(comment)


async def list_comments(
    session: AsyncSession,
    *,
    principal: Principal,
    report_id: int,
    indicator_id: int | None,
    page: PageParams,
) -> Page[CommentRead]:
    """The report's comments, oldest first (only those on one value when it is named)."""
    report, _ = await visible_report(session, principal=principal, report_id=report_id)
    rows, total = await repository.page_of_report(
        session, report.id, indicator_id=indicator_id, page=page
    )
    return Page.of([CommentRead.model_validate(row) for row in rows], total, page)
