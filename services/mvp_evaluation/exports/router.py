"""Routes of exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import StreamingResponse

from common.db import SessionDep
from common.problems import problem_responses
from services.mvp_evaluation.access import EvaluatorDep
from services.mvp_evaluation.exports import service
from services.mvp_evaluation.exports.service import Delimiter

router = APIRouter(tags=["exports"])


@router.get(
    "/exports/responses",
    summary="Export a wave's responses / Exportera en mätnings svar",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "CSV: `respondent` and the item codes, one row per respondent.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **problem_responses(401, 403, 404, 422),
    },
)
async def export_responses(
    wave: Annotated[int, Query(description="The wave's id.", ge=1, le=2**31 - 1, examples=[1])],
    request: Request,
    session: SessionDep,
    principal: EvaluatorDep,
    delimiter: Annotated[
        Delimiter, Query(description="comma (RFC 4180) or semicolon (Swedish Excel).")
    ] = Delimiter.comma,
) -> StreamingResponse:
    """Pseudonymous item-level data of one wave as CSV, streamed: a header row with
    `respondent` and the instrument's item codes, then one row per respondent in the order
    they were imported, a blank cell for a missing answer. Posting it back to an empty wave
    of the same instrument version stores exactly the same data."""
    export = await service.export_responses(
        session, engine=request.app.state.engine, wave_id=wave, delimiter=delimiter
    )
    return StreamingResponse(
        export.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )
