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
    "budget_ore,budget_kr,supplementary_ore,supplementary_kr,allocated_ore,allocated_kr,"
    "reserved_ore,reserved_kr,paid_ore,paid_kr,returned_ore,returned_kr,repaid_ore,repaid_kr,"
    "available_ore,available_kr\r\n"
    "2019,2019.kvinnofrid.rss,RSS,budget,2019.kvinnofrid,2,,,900000000,9000000.00,0,0.00,"
    "900000000,9000000.00,0,0.00,900000000,9000000.00,0,0.00,0,0.00,0,0.00\r\n"
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
    children, in öre:

    - `budget_ore`: what the account was given from above (appropriations and allocations
      into it, for a county or organiser what was paid to it), net of their corrections,
      never counting money that came back; `supplementary_ore`: of it, what a supplementary
      decision added (the June 2019 7 MSEK).
    - `allocated_ore`: what it has passed on to its children, posted or reserved, net of
      corrections (`reserved_ore`: of it, reserved and not yet posted). At every budget
      account, allocated = its children's budgets + its open reservations.
    - `paid_ore`: of the allocated, what was paid out to a final recipient (an RSS or an
      organiser).
    - `returned_ore`: repayments that came back to it; `repaid_ore`: repayments it sent back.
    - `available_ore` = budget − allocated + returned − repaid: what the ledger lets it still
      pass on.

    JSON by default; CSV (comma-separated, UTF-8) with `Accept: text/csv`, each amount in öre
    followed by the same in kronor (`budget_kr`, two decimals); with `excel=true` CSV as
    Swedish Excel opens it: semicolons, a UTF-8 byte order mark, decimal commas, and codes
    with a leading zero kept as text. An `rss` principal sees the budget accounts and its own
    county's, no other county's."""
    rows = await service.summary(session, year=year, principal=principal)
    if excel or "text/csv" in (accept or ""):
        name = f"kvinnofrid-summary-{year or 'all'}.csv"
        return Response(
            service.to_csv(rows, excel=excel),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Vary": "Accept"},
        )
    return SummaryRead(year=year, accounts=rows)
