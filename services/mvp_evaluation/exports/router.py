"""Routes of exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import StreamingResponse

from common.db import SessionDep
from common.problems import problem_responses
from services.mvp_evaluation.access import EvaluatorDep
from services.mvp_evaluation.exports import cohorts, service
from services.mvp_evaluation.exports.service import Delimiter
from services.mvp_evaluation.waves.schemas import Cohort

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


@router.get(
    "/exports/cohorts/{cohort}",
    summary="Export a cohort for analysis / Exportera en kohort för analys",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The cohort as CSV or XLSX (see the description for the columns).",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                cohorts.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **problem_responses(401, 403, 404, 422),
    },
)
async def export_cohort(
    cohort: Annotated[Cohort, Path(description="The cohort.", examples=["2019"])],
    request: Request,
    session: SessionDep,
    principal: EvaluatorDep,
    layout: Annotated[
        cohorts.Layout,
        Query(description="`long`: a row per respondent, wave and item; `wide`: a row per pupil."),
    ] = cohorts.Layout.long,
    format: Annotated[
        cohorts.FileFormat, Query(description="`csv` (UTF-8) or `xlsx` (one worksheet).")
    ] = cohorts.FileFormat.csv,
    excel: Annotated[
        bool,
        Query(description="CSV for Swedish Excel: semicolons, a UTF-8 BOM, codes kept as text."),
    ] = False,
) -> StreamingResponse:
    """One cohort across its waves and schools, pseudonymous, for analysis; evaluators and
    admins only. A pupil is a respondent code at a school.

    - `long`: `respondent`, `school_unit_code`, `arm`, `municipality_code`, `wave_kind`,
      `item`, `answer` (blank when missing): one row per respondent, wave and item.
    - `wide`: one row per pupil: `respondent`, `school_unit_code`, `arm`,
      `municipality_code`, then for each kind of wave (pre, post, follow_up) its items
      (`pre.q1`, ...) and scale scores (`pre.attityd_score`: the mean of the answered items,
      reverse items as min + max − x, when at least half are answered; blank otherwise);
      blank where the pupil has no such wave.

    Rows are ordered by school, respondent and wave and sent as they are read (CSV); an XLSX
    workbook is written to a temporary file, then sent. 404 when the cohort has no
    respondents."""
    export = await cohorts.export_cohort(
        session,
        engine=request.app.state.engine,
        cohort=cohort,
        layout=layout,
        file_format=format,
        excel=excel,
    )
    return StreamingResponse(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )
