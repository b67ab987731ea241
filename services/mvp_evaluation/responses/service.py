"""Posting a batch of responses: read and check it all, then write it all with one COPY.

1. The body streams in (never more than `max_upload_bytes`) and is read as it comes: CSV
   (`common.tables`) and JSON piece by piece, XLSX (a zip archive, read from its end) from
   a temporary file. Every row is checked, and kept compactly (see `batch.py`).
   No database connection is held meanwhile.
2. With the body read (`receive_batch`), the route's Idempotency-Key replays the first
   response to a retry of the same body; else `store_batch` locks the wave (a dry run,
   `check_batch`, only reads it), and respondents it already has are errors too.
3. Any error: 422 listing the errors, nothing stored. Otherwise one binary COPY of all rows,
   in the request's transaction, with the wave's count, an import record and the rows' scale
   scores (`scores.py`), computed from the spooled rows a part at a time.
Nothing is written before the last byte is in, and a failure anywhere rolls the
transaction back, so a client that goes away mid-upload leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import ClientDisconnect

from common.auth import Principal
from common.context import current_request_id
from common.problems import NotFound, PayloadTooLarge, UnsupportedMediaType
from common.tables import TableTooLarge, UnreadableTable
from common.uploads import LimitedBody
from services.mvp_evaluation.batches.service import refuse_if_locked
from services.mvp_evaluation.config import Settings
from services.mvp_evaluation.instruments import repository as instruments
from services.mvp_evaluation.instruments.models import Item
from services.mvp_evaluation.problems import InstrumentChanged, InvalidUpload, UploadIncomplete
from services.mvp_evaluation.responses import cohort_checks, repository
from services.mvp_evaluation.responses.batch import Batch, ItemRule, rows_invalid
from services.mvp_evaluation.responses.cohort_checks import CohortMatch
from services.mvp_evaluation.responses.json_reader import JsonReader
from services.mvp_evaluation.responses.schemas import (
    XLSX,
    DryRunResult,
    ImportResult,
    MediaFormat,
)
from services.mvp_evaluation.responses.scores import parts, scales_of
from services.mvp_evaluation.responses.tabular import CsvTable, read_sheet
from services.mvp_evaluation.waves import repository as waves
from services.mvp_evaluation.waves.models import Wave

logger = logging.getLogger("kvf.mvp_evaluation.responses")

MEDIA_FORMATS = {
    "application/json": MediaFormat.json,
    "text/csv": MediaFormat.csv,
    "application/csv": MediaFormat.csv,
    XLSX: MediaFormat.xlsx,
}
XLSX_SPOOL_IN_MEMORY = 8 << 20


@dataclass(frozen=True)
class Upload:
    """The request as the service needs it: what type, how long, and its body."""

    content_type: str | None
    content_length: str | None
    body: AsyncIterator[bytes]


class Reader(Protocol):
    def feed(self, data: bytes) -> None: ...

    def finish(self) -> None: ...


def media_format(content_type: str | None) -> MediaFormat:
    """`json`, `csv` or `xlsx` from the Content-Type; 415 for anything else."""
    main, _, parameters = (content_type or "").partition(";")
    found = MEDIA_FORMATS.get(main.strip().lower())
    if found is None:
        raise UnsupportedMediaType(
            f"Post responses as application/json, text/csv or {XLSX}; got {main or 'nothing'}."
        )
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in {"utf-8", "utf8"}:
            raise InvalidUpload(
                f"Only UTF-8 is accepted, not {charset}. Save the file as 'CSV UTF-8'."
            )
    return found


def item_rules(items: Sequence[Item]) -> list[ItemRule]:
    return [ItemRule(code=item.code, min=item.min, max=item.max) for item in items]


async def _chunks(body: LimitedBody) -> AsyncIterator[bytes]:
    """The body's chunks; a client that goes away before the end is 400 (said to nobody)."""
    try:
        async for chunk in body.chunks():
            yield chunk
    except ClientDisconnect:
        logger.info("upload abandoned by the client", extra={"bytes": body.received})
        raise UploadIncomplete(
            f"The client went away after {body.received} bytes; nothing was stored."
        ) from None


async def _read_sheet(body: LimitedBody, batch: Batch) -> None:
    """An XLSX archive is read from its end: spool it whole, then read it in a thread."""
    with tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_IN_MEMORY) as file:
        async for chunk in _chunks(body):
            file.write(chunk)
        file.seek(0)
        await asyncio.to_thread(read_sheet, file, batch.items, batch)


async def _read(body: LimitedBody, media: MediaFormat, batch: Batch) -> None:
    """The whole body into the batch; a file that cannot be read is 422 (413 a zip bomb)."""
    try:
        if media == MediaFormat.xlsx:
            return await _read_sheet(body, batch)
        reader: Reader = (
            CsvTable(batch.items, batch)
            if media == MediaFormat.csv
            else JsonReader(batch.items, batch)
        )
        async for chunk in _chunks(body):
            reader.feed(chunk)
        reader.finish()
    except TableTooLarge as exc:
        raise PayloadTooLarge(exc.detail) from None
    except UnreadableTable as exc:
        raise InvalidUpload(exc.detail) from None


@dataclass
class Received:
    """A batch read and checked in itself, with what identifies its body."""

    media: MediaFormat
    batch: Batch
    digest: str
    file_name: str | None = None

    @property
    def identity(self) -> dict[str, str]:
        """What makes two uploads the same upload, for the Idempotency-Key."""
        return {"media": self.media, "sha256": self.digest}


@asynccontextmanager
async def receive_batch(
    session: AsyncSession,
    *,
    wave_id: int,
    upload: Upload,
    settings: Settings,
    file_name: str | None = None,
) -> AsyncIterator[Received]:
    """Read the whole body into a checked batch, holding no database connection meanwhile;
    the batch's spooled rows are released on leaving."""
    wave = _found(await waves.get(session, wave_id), wave_id)
    media = media_format(upload.content_type)
    body = LimitedBody(
        upload.body,
        limit=settings.max_upload_bytes,
        content_length=upload.content_length,
        too_large=f"The body is larger than {settings.max_upload_bytes} bytes; split the batch.",
    )
    items = await instruments.items_of(session, wave.instrument_id)
    batch = Batch(item_rules(items), max_rows=settings.max_rows)
    await repository.release_connection(session)
    try:
        await _read(body, media, batch)
        batch.finish()
        yield Received(media=media, batch=batch, digest=body.sha256, file_name=file_name)
    finally:
        batch.close()


def _found(wave: Wave | None, wave_id: int) -> Wave:
    if wave is None:
        raise NotFound(f"No wave {wave_id}.")
    return wave


async def _check(
    session: AsyncSession, wave: Wave, batch: Batch, *, allow_unmatched: bool
) -> tuple[list[Item], CohortMatch]:
    """The batch against the wave as it is now: the same items (returned), and respondents it
    does not have, 422 listing every error in the batch; then against its cohort (returned),
    409 when it looks meant for another wave, unless that is `allow_unmatched`."""
    items = await instruments.items_of(session, wave.instrument_id)
    if item_rules(items) != batch.items:
        raise InstrumentChanged("The wave's instrument changed during the upload; post again.")
    if wave.respondents:
        async for codes in repository.existing_codes(session, wave.id):
            batch.note_existing(codes)
        batch.report_existing()
    if batch.errors:
        raise rows_invalid(batch.errors)
    if batch.count == 0:
        raise InvalidUpload("The batch holds no respondents.")
    cohort = await cohort_checks.match(session, wave, batch)
    if not allow_unmatched:
        cohort.refuse_if_wrong(wave)
    return items, cohort


async def check_batch(
    session: AsyncSession, *, wave_id: int, received: Received, allow_unmatched: bool = False
) -> DryRunResult:
    """Check a received batch against the wave as it is now, and store nothing."""
    wave = _found(await waves.get(session, wave_id), wave_id)
    refuse_if_locked(wave)
    _, cohort = await _check(session, wave, received.batch, allow_unmatched=allow_unmatched)
    return DryRunResult(
        wave_id=wave_id,
        valid=received.batch.count,
        in_other_schools=cohort.in_other_schools,
        matched_pre=cohort.matched_pre,
    )


async def store_batch(
    session: AsyncSession,
    *,
    principal: Principal,
    wave_id: int,
    received: Received,
    allow_unmatched: bool = False,
) -> ImportResult:
    """Store all of a received batch, or none of it (422 listing every error), with the
    wave locked and its instrument version share-locked until the batch is in."""
    batch = received.batch
    wave = _found(await waves.lock(session, wave_id), wave_id)
    refuse_if_locked(wave)
    await instruments.share_lock(session, wave.instrument_id)
    items, cohort = await _check(session, wave, batch, allow_unmatched=allow_unmatched)
    scales = scales_of(items)
    first_position = wave.next_position
    await repository.copy_responses(
        session, wave_id=wave_id, first_position=first_position, chunks=batch.chunks()
    )
    await waves.add_respondents(session, wave_id, batch.count)
    record = await repository.record_import(
        session,
        wave_id=wave_id,
        client_id=principal.client_id,
        media_format=received.media,
        first_position=first_position,
        rows=batch.count,
        request_id=current_request_id(),
        file_name=received.file_name,
        sha256=received.digest,
    )
    for part in parts(scales, first_position, batch.chunks()):  # the spool read once more
        await repository.add_scale_scores(session, record.id, part)
    logger.info("responses imported", extra={"wave_id": wave_id, "rows": batch.count})
    return ImportResult(
        wave_id=wave_id,
        imported=batch.count,
        in_other_schools=cohort.in_other_schools,
        matched_pre=cohort.matched_pre,
    )
