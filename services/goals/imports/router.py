"""Route of the bulk import: POST /reports/import."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from starlette.responses import JSONResponse, Response

from common.db import SessionDep
from common.idempotency import Idempotency, fingerprint
from services.goals.access import AdminDep
from services.goals.idempotency import IDEMPOTENCY_REQUIRED
from services.goals.imports import service
from services.goals.imports.parsing import parse_body
from services.goals.imports.schemas import REQUEST_BODY, ImportSummary
from services.goals.problems import PayloadTooLarge, responses

router = APIRouter(tags=["reports"])

MAX_BYTES = 32 * 1024 * 1024


async def read_body(request: Request) -> bytes:
    """The body, refused (413) once it grows past MAX_BYTES, without holding more."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise PayloadTooLarge(f"An import body is at most {MAX_BYTES // 1024 // 1024} MiB.")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/reports/import",
    response_model=ImportSummary,
    summary="Import report values in bulk / Importera rapportvärden",
    responses=responses(400, 401, 403, 413, 415, 422),
    openapi_extra=REQUEST_BODY,
)
async def import_reports(
    request: Request,
    session: SessionDep,
    principal: AdminDep,
    partial: Annotated[
        bool, Query(description="Import the rows without conflicts; ignore the others.")
    ] = False,
    dry_run: Annotated[bool, Query(description="Work out the summary and save nothing.")] = False,
    idem: Idempotency = IDEMPOTENCY_REQUIRED,
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
    body = await read_body(request)
    flags = f"?partial={partial}&dry_run={dry_run}&type={request.headers.get('content-type')}"
    request_fingerprint = fingerprint(request.method, request.url.path + flags, body)
    # A dry run saves nothing, not even its key: it can be repeated freely.
    replayed = None if dry_run else await idem.replay(request_fingerprint)
    if replayed is not None:
        return replayed
    raw_rows = parse_body(request.headers.get("content-type"), body)
    result = await service.import_rows(
        session, principal=principal, raw_rows=raw_rows, partial=partial, dry_run=dry_run
    )
    payload = jsonable_encoder(result)
    if not dry_run:
        await idem.save(request_fingerprint, 200, payload)
    return JSONResponse(payload)
