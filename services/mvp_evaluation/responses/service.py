"""Posting a batch of responses: read and check it all, then write it all with one COPY.

1. The body streams in (never more than `max_upload_bytes`) and is read as it comes: CSV
   and JSON piece by piece, XLSX (a zip archive, read from its end) from a temporary file.
   Every row is checked, and kept compactly (see `batch.py`).
   No database connection is held meanwhile.
2. With the body read (`receive_batch`), the route's Idempotency-Key replays the first
   response to a retry of the same body; else `store_batch` locks the wave, and respondents
   it already has are errors too.
3. Any error: 422 listing the errors, nothing stored. Otherwise one binary COPY of all rows,
   in the request's transaction, with the wave's count and an import record.
Nothing is written before the last byte is in, and a failure anywhere rolls the
transaction back, so a client that goes away mid-upload leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import IO, Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import ClientDisconnect

from common.auth import Principal
from common.context import current_request_id
from common.problems import NotFound
from services.mvp_evaluation.config import Settings
from services.mvp_evaluation.instruments.models import Item
from services.mvp_evaluation.problems import (
    InstrumentChanged,
    InvalidUpload,
    PayloadTooLarge,
    UnsupportedMediaType,
    UploadIncomplete,
)
from services.mvp_evaluation.responses import repository
from services.mvp_evaluation.responses.batch import Batch, ItemRule, rows_invalid
from services.mvp_evaluation.responses.csv_reader import CsvReader
from services.mvp_evaluation.responses.json_reader import JsonReader
from services.mvp_evaluation.responses.schemas import XLSX, DryRunResult, ImportResult
from services.mvp_evaluation.responses.xlsx_reader import read_xlsx

logger = logging.getLogger("kvf.mvp_evaluation.responses")

MEDIA_FORMATS = {
    "application/json": "json",
    "text/csv": "csv",
    "application/csv": "csv",
    XLSX: "xlsx",
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


def media_format(content_type: str | None) -> str:
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


class Body:
    """Reads the body within the size limit, hashing it to identify the upload."""

    def __init__(self, upload: Upload, limit: int) -> None:
        self.upload = upload
        self.limit = limit
        self.digest = hashlib.sha256()
        self.received = 0
        length = upload.content_length
        if length is not None and length.isdigit() and int(length) > limit:
            raise self.too_large()

    def too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"The body is larger than {self.limit} bytes; split the batch.")

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.upload.body:
                self.received += len(chunk)
                if self.received > self.limit:
                    raise self.too_large()
                self.digest.update(chunk)
                yield chunk
        except ClientDisconnect:
            logger.info("upload abandoned by the client", extra={"bytes": self.received})
            raise UploadIncomplete(
                f"The client went away after {self.received} bytes; nothing was stored."
            ) from None


async def _read(body: Body, media: str, items: list[ItemRule], batch: Batch) -> None:
    if media == "xlsx":
        with tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_IN_MEMORY) as file:
            async for chunk in body.chunks():
                file.write(chunk)
            await asyncio.to_thread(_read_xlsx, file, items, batch)
        return
    reader: Reader = CsvReader(items, batch) if media == "csv" else JsonReader(items, batch)
    async for chunk in body.chunks():
        reader.feed(chunk)
    reader.finish()


def _read_xlsx(file: IO[bytes], items: list[ItemRule], batch: Batch) -> None:
    file.seek(0)
    read_xlsx(file, items, batch)


@dataclass
class Received:
    """A batch read and checked in itself, with what identifies its body."""

    media: str
    batch: Batch
    digest: str

    @property
    def identity(self) -> dict[str, str]:
        """What makes two uploads the same upload, for the Idempotency-Key."""
        return {"media": self.media, "sha256": self.digest}


@asynccontextmanager
async def receive_batch(
    session: AsyncSession, *, wave_id: int, upload: Upload, settings: Settings
) -> AsyncIterator[Received]:
    """Read the whole body into a checked batch, holding no database connection meanwhile;
    the batch's spooled rows are released on leaving."""
    wave = await repository.get_wave(session, wave_id)
    if wave is None:
        raise NotFound(f"No wave {wave_id}.")
    media = media_format(upload.content_type)
    body = Body(upload, settings.max_upload_bytes)
    items = await repository.items_of(session, wave.instrument_id)
    batch = Batch(item_rules(items), max_rows=settings.max_rows)
    await repository.release_connection(session)
    try:
        await _read(body, media, batch.items, batch)
        batch.finish()
        yield Received(media=media, batch=batch, digest=body.digest.hexdigest())
    finally:
        batch.close()


async def store_batch(
    session: AsyncSession,
    *,
    principal: Principal,
    wave_id: int,
    received: Received,
    dry_run: bool,
) -> ImportResult | DryRunResult:
    """Store all of a received batch, or none of it (422 listing every error); a dry run
    only checks it against the wave as it is now."""
    batch = received.batch
    if dry_run:
        wave = await repository.get_wave(session, wave_id)
    else:
        wave = await repository.lock_wave(session, wave_id)
    if wave is None:
        raise NotFound(f"No wave {wave_id}.")
    if item_rules(await repository.items_of(session, wave.instrument_id)) != batch.items:
        raise InstrumentChanged("The wave's instrument changed during the upload; post again.")
    if wave.respondents:
        async for codes in repository.existing_codes(session, wave_id):
            batch.note_existing(codes)
        batch.report_existing()
    if batch.errors:
        raise rows_invalid(batch.errors)
    if batch.count == 0:
        raise InvalidUpload("The batch holds no respondents.")
    if dry_run:
        return DryRunResult(wave_id=wave_id, valid=batch.count)
    first_position = wave.respondents + 1
    await repository.copy_responses(
        session, wave_id=wave_id, first_position=first_position, chunks=batch.chunks()
    )
    await repository.record_import(
        session,
        wave_id=wave_id,
        client_id=principal.client_id,
        media_format=received.media,
        first_position=first_position,
        rows=batch.count,
        request_id=current_request_id(),
    )
    logger.info("responses imported", extra={"wave_id": wave_id, "rows": batch.count})
    return ImportResult(wave_id=wave_id, imported=batch.count)
