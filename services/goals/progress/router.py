"""Route of progress: /progress."""

from typing import Annotated

from fastapi import APIRouter, Query

from common.db import SessionDep
from common.problems import problem_responses
from services.goals.access import ProgressDep
from services.goals.progress import service
from services.goals.progress.schemas import ProgressRead

router = APIRouter(tags=["progress"])


@router.get(
    "/progress",
    summary="Progress per goal / Måluppfyllelse per mål",
    responses=problem_responses(401, 403, 422),
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
) -> ProgressRead:
    """Per goal: how many counties have a plan with it, a submitted report (submitted or
    approved) and an approved report; each indicator's latest approved value against baseline
    and target per county, and across counties where the measure allows (counts summed,
    percentages pooled, yes/no counted). A reader sees approved figures only; an RSS sees its
    own county's rows and the aggregates over all counties; admin sees everything, including
    values awaiting approval (`pending`)."""
    return await service.progress(session, principal=principal, year=year)
