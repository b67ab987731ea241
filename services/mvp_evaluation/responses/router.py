"""Routes of responses: posting a batch to a wave."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from common.db import SessionDep
from common.idempotency import RequiredIdempotencyDep
from common.pagination import id_path
from common.problems import problem_responses
from services.mvp_evaluation.access import EvaluatorDep
from services.mvp_evaluation.config import SettingsDep
from services.mvp_evaluation.responses import service
from services.mvp_evaluation.responses.schemas import REQUEST_BODY, DryRunResult, ImportResult

router = APIRouter(tags=["responses"])
WaveId = Annotated[int, id_path("The wave's id.", 1)]


@router.post(
    "/waves/{id}/responses",
    status_code=201,
    response_model=ImportResult,
    summary="Post survey responses to a wave / Läs in enkätsvar till en mätning",
    responses={
        200: {"model": DryRunResult, "description": "A dry run: the batch is valid."},
        **problem_responses(
            400,
            401,
            403,
            404,
            409,
            413,
            415,
            422,
            s400="No Idempotency-Key, or the client went away before the body was complete",
            s413="The body or the number of rows is over the limit",
            s415="Not JSON, CSV or XLSX",
        ),
    },
    openapi_extra=REQUEST_BODY,
)
async def post_responses(
    id: WaveId,
    request: Request,
    session: SessionDep,
    principal: EvaluatorDep,
    idem: RequiredIdempotencyDep,
    settings: SettingsDep,
    dry_run: Annotated[
        bool, Query(description="Only check the batch; store nothing (200).")
    ] = False,
    allow_unmatched: Annotated[
        bool,
        Query(
            description="Store (or pass) a batch that looks meant for another wave: most of "
            "its respondents in another school's waves of the cohort, or, for a post or "
            "follow-up wave, none in the school's pre wave."
        ),
    ] = False,
    file_name: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=255,
            pattern=r"^[^\x00-\x1f/\\]+$",
            description="The file's name, kept with the batch (no path).",
            examples=["wave1_12345678_pre.csv"],
        ),
    ] = None,
) -> Response:
    """Post a batch of responses as JSON, CSV (comma or semicolon, UTF-8 with or without
    BOM, a header row with `respondent` and item codes, a blank cell for a missing answer) or
    XLSX (the first worksheet, laid out as the CSV). Each answer must be an integer in its
    item's range; unknown columns, a respondent twice in the batch or already in the wave,
    and anything that looks like a personnummer, in any cell, are errors.

    The batch is all or nothing: with any error nothing is stored and the 422 lists the
    errors (`row`, `field`, `value`, `message`; rows count from the CSV's or sheet's header
    as row 1, and from 1 in the JSON's `responses`), at most 1000, with
    `error_count` the total. A value that looks like a personnummer is never echoed.
    `?dry_run=true` only checks (200 `{wave_id, valid}`). `Idempotency-Key` is required: a
    retry with the same key and body replays the first response.

    Each accepted upload is a batch (`GET /waves/{id}/batches`), kept with `file_name` and
    the body's SHA-256, and can be deleted; a locked wave refuses uploads and dry runs (409
    `wave-locked`).

    Each batch is also checked against its cohort: the result says how many of its
    respondents are in another school's waves of the cohort (`in_other_schools`) and, for a
    post or follow-up wave, how many are in the school's pre wave (`matched_pre`). A batch
    that looks meant for another wave (more than half in another school, or none of the pre
    wave) is refused, 409 `respondents-of-another-school` or `unmatched-pre-wave`, unless
    `allow_unmatched=true`."""
    upload = service.Upload(
        content_type=request.headers.get("content-type"),
        content_length=request.headers.get("content-length"),
        body=request.stream(),
    )
    async with service.receive_batch(
        session, wave_id=id, upload=upload, settings=settings, file_name=file_name
    ) as received:
        if dry_run:  # a dry run neither replays nor stores: it may be repeated freely
            return await idem.run(
                lambda: service.check_batch(
                    session, wave_id=id, received=received, allow_unmatched=allow_unmatched
                ),
                payload=received.identity,
                status_code=200,
                store=False,
            )
        return await idem.run(
            lambda: service.store_batch(
                session,
                principal=principal,
                wave_id=id,
                received=received,
                allow_unmatched=allow_unmatched,
            ),
            payload=received.identity,
            status_code=201,
        )
