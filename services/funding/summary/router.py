"""/funding/v1/summary: the funding tree's figures, as JSON or CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from common.db import SessionDep
from common.pagination import YearQuery
from common.problems import problem_responses
from services.funding.access import SummaryReaderDep
from services.funding.summary import service
from services.funding.summary.schemas import SummaryRead

router = APIRouter(tags=["summary"])
CSV_EXAMPLE = (
    "year,code,name,kind,parent_code,level,county_code,organisation_number,"
    "budget_ore,allocated_ore,paid_ore,available_ore\r\n"
    "2019,2019.kvinnofrid.rss,RSS,budget,2019.kvinnofrid,2,,,900000000,900000000,900000000,0\r\n"
)


@router.get(
    "/summary",
    response_model=SummaryRead,
    summary="Funding summary / Sammanställning av medlen",
    responses={
        200: {
            "description": "The tree as JSON, or as CSV with `Accept: text/csv` or `excel=true`.",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}},
        },
        **problem_responses(401, 403, 422),
    },
)
async def get_summary(
    session: SessionDep,
    principal: SummaryReaderDep,
    year: YearQuery = None,
    excel: Annotated[
        bool,
        Query(description="CSV for Swedish Excel: semicolons and a UTF-8 BOM.", examples=[True]),
    ] = False,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response | SummaryRead:
    """Every account of the year's tree (every year's when `year` is left out), parents before
    children, with `budget_ore` (posted in), `allocated_ore` (posted out or reserved),
    `paid_ore` (posted out) and `available_ore` (budget − allocated), all in öre.

    JSON by default; CSV (comma-separated, UTF-8) with `Accept: text/csv`; with `excel=true`
    CSV separated by semicolons with a UTF-8 byte order mark, as Swedish Excel opens it. An
    `rss` principal sees the budget accounts and its own county's, no other county's."""
    rows = await service.summary(session, year=year, principal=principal)
    if excel or "text/csv" in (accept or ""):
        name = f"kvinnofrid-summary-{year or 'all'}.csv"
        return Response(
            service.to_csv(rows, excel=excel),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Vary": "Accept"},
        )
    return SummaryRead(year=year, accounts=rows)
