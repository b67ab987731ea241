"""Route of progress: /progress, as JSON or CSV."""

from typing import Annotated

from fastapi import APIRouter, Header, Query
from starlette.responses import Response

from common.csvfile import document
from common.db import SessionDep
from common.problems import problem_responses
from services.goals.access import ProgressDep
from services.goals.progress import service
from services.goals.progress.schemas import ProgressRead
from services.goals.progress.table import CSV_HEADER, csv_rows

router = APIRouter(tags=["progress"])

CSV_EXAMPLE = (
    ",".join(CSV_HEADER) + "\r\n"
    "2019,K1,K1-HANDLPLAN,Kommuner med handlingsplan,count,kommuner,increase,12,Skåne län,"
    "2019H1,2,8,,,,4,12,4,better,not_met,8.00,20,21,same,,\r\n"
)


@router.get(
    "/progress",
    response_model=ProgressRead,
    summary="Progress per goal / Måluppfyllelse per mål",
    responses={
        200: {
            "description": "JSON, or CSV (one row per county × indicator) with "
            "`Accept: text/csv` or `excel=true`.",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}},
        },
        **problem_responses(401, 403, 422),
    },
)
async def read_progress(
    session: SessionDep,
    principal: ProgressDep,
    year: Annotated[
        int | None,
        Query(
            ge=2018,
            le=2100,
            description="The year; by default the latest year any county has a plan for.",
            examples=[2019],
        ),
    ] = None,
    excel: Annotated[
        bool,
        Query(description="CSV for Swedish Excel: semicolons and a UTF-8 BOM.", examples=[True]),
    ] = False,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response | ProgressRead:
    """Per goal: how many of the 21 counties (`of`) have a plan with it, a submitted report
    (submitted or approved, now or before a reopening) and an approved report, and which
    counties do not (`counties_without_*`, by code and name); each indicator's latest approved
    value per county against its baseline (`change`, `vs_baseline`), its target
    (`target_reached`, `vs_target`) and, for a national indicator, the national figure
    (`national_value`, `vs_national`: a count's mean per county, a percentage's pooled per
    cent); and across counties where the measure allows (counts summed, percentages pooled,
    yes/no counted), with how many of the 21 counties each figure is made of (`counties`,
    `of`).

    A reader sees approved figures only (no plan or submission counts, no `pending`, rows of
    counties with an approved value only); an RSS sees its own county's rows, the counts, the
    aggregates and national figures over all counties, and which counties have no approved
    report; admin sees everything, including values awaiting approval (`pending`).

    JSON by default; CSV (comma-separated, UTF-8) with `Accept: text/csv`: one row per county
    × indicator, exactly the county rows the JSON shows the caller, with the columns `year`,
    `goal_code`, `national_code`, `indicator` (its name), `measure`, `unit`, `direction`,
    `county_code`, `county_name`, the latest approved value (`period`, `version`, `value`,
    `numerator`, `denominator`, `text`), `baseline`, `target`, `change`, `vs_baseline`,
    `vs_target`, `national_value`, `national_counties` and `of` (how many of the 21 counties
    the national figure is made of), `vs_national`, and the value awaiting approval
    (`pending_period`, `pending_value`; always blank for a reader). Yes/no is written
    `true`/`false`, a blank cell is a null. With `excel=true` CSV as Swedish Excel opens it:
    semicolons, a UTF-8 byte order mark, decimal commas, and county codes kept as text."""
    progress = await service.progress(session, principal=principal, year=year)
    if excel or "text/csv" in (accept or ""):
        name = f"kvinnofrid-progress-{progress.year}.csv"
        return Response(
            document(csv_rows(progress), excel=excel),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Vary": "Accept"},
        )
    return progress
