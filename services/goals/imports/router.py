"""Route of the bulk import: POST /reports/import."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from common.db import SessionDep
from common.idempotency import RequiredIdempotencyDep
from common.problems import problem_responses
from common.uploads import LimitedBody
from services.goals.access import AdminDep
from services.goals.config import SettingsDep
from services.goals.imports import service
from services.goals.imports.parsing import read_rows
from services.goals.imports.schemas import REQUEST_BODY, ImportSummary

router = APIRouter(tags=["reports"])
MIB = 1024 * 1024


def _too_large(limit: int) -> str:
    size = f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit} bytes"
    return f"An import body is at most {size}."


@router.post(
    "/reports/import",
    response_model=ImportSummary,
    summary="Import report values in bulk / Importera rapportvärden",
    responses=problem_responses(
        400, 401, 403, 413, 415, 422, s415="The body is neither JSON nor CSV"
    ),
    openapi_extra=REQUEST_BODY,
)
async def import_reports(
    request: Request,
    session: SessionDep,
    principal: AdminDep,
    idem: RequiredIdempotencyDep,
    settings: SettingsDep,
    partial: Annotated[
        bool, Query(description="Import the rows without conflicts; ignore the others.")
    ] = False,
    dry_run: Annotated[bool, Query(description="Work out the summary and save nothing.")] = False,
) -> Response:
    """Many counties' values at once, as JSON `{"rows": [...]}` or CSV (header
    `county_code;year;period;indicator_id;value;numerator;denominator;text`, comma or
    semicolon, UTF-8 with or without BOM). Each row sets one indicator's value in the county's
    report for the period; a missing report is created as a draft. The answer is an import
    summary: `imported`, `updated`, `ignored` and `conflicts` (row and reason). All or nothing:
    any conflict is a 422 with the summary and nothing saved, unless `?partial=true`. An
    approved report is locked: a row for it is a conflict (`report-locked`). The 422 carries
    the summary's fields (`imported`, `updated`, `ignored`, `conflicts`) and lists each bad
    row in `errors` (`row`, `field`, `value`, `message`). `Idempotency-Key` is required (400
    without it): a retry with the same key and body replays the first summary."""
    content_type = request.headers.get("content-type")
    body = LimitedBody(
        request.stream(),
        limit=settings.max_import_bytes,
        content_length=request.headers.get("content-length"),
        too_large=_too_large(settings.max_import_bytes),
    )
    raw_rows = await read_rows(content_type, body)
    # A dry run saves nothing, not even its key: it can be repeated freely.
    return await idem.run(
        lambda: service.import_rows(
            session, principal=principal, raw_rows=raw_rows, partial=partial, dry_run=dry_run
        ),
        payload={"type": content_type, "sha256": body.sha256},
        status_code=200,
        store=not dry_run,
    )
