"""The SQL of responses: the codes a wave has, the COPY, and the import's record."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import asyncpg
import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mvp_evaluation.db import SCHEMA
from services.mvp_evaluation.problems import RespondentsConflict
from services.mvp_evaluation.responses import copy_format
from services.mvp_evaluation.responses.models import Response, ResponseImport, ScaleScore
from services.mvp_evaluation.responses.schemas import MediaFormat
from services.mvp_evaluation.responses.scores import Part

CODES_PER_FETCH = 10_000


async def release_connection(session: AsyncSession) -> None:
    """End the request's transaction, which has only read, so that its connection goes back
    to the pool while a client, however slow, sends the body: uploads waiting on their
    clients never starve the service of connections. The next statement begins anew."""
    await session.rollback()


async def existing_codes(session: AsyncSession, wave_id: int) -> AsyncIterator[list[str]]:
    """The wave's respondent codes, a few thousand at a time (a server-side cursor)."""
    result = await session.stream_scalars(
        select(Response.respondent).where(Response.wave_id == wave_id),
        execution_options={"yield_per": CODES_PER_FETCH},
    )
    async for partition in result.partitions(CODES_PER_FETCH):
        yield list(partition)


async def copy_responses(
    session: AsyncSession,
    *,
    wave_id: int,
    first_position: int,
    chunks: Iterator[tuple[list[str], npt.NDArray[np.int16]]],
) -> None:
    """Write the rows with COPY (binary), on the request's connection and transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection
    if not driver.is_in_transaction():  # the wave's lock has begun it; COPY must be inside
        raise RuntimeError("COPY outside the request's transaction")

    async def source() -> AsyncIterator[bytes]:
        yield copy_format.HEADER
        position = first_position
        for codes, answers in chunks:
            yield copy_format.encode(wave_id, position, codes, answers)
            position += len(codes)
        yield copy_format.TRAILER

    try:
        await driver.copy_to_table(
            Response.__tablename__,
            schema_name=SCHEMA,
            columns=copy_format.COLUMNS,
            source=source(),
            format="binary",
        )
    except asyncpg.UniqueViolationError:
        # Not expected under the wave's lock; said without the row, which names a respondent.
        raise RespondentsConflict(
            "Some respondents were stored in this wave meanwhile; nothing was stored."
        ) from None


async def record_import(
    session: AsyncSession,
    *,
    wave_id: int,
    client_id: str,
    media_format: MediaFormat,
    first_position: int,
    rows: int,
    request_id: str | None,
    file_name: str | None,
    sha256: str,
) -> ResponseImport:
    record = ResponseImport(
        wave_id=wave_id,
        client_id=client_id,
        format=media_format,
        first_position=first_position,
        rows=rows,
        request_id=request_id,
        file_name=file_name,
        sha256=sha256,
    )
    session.add(record)
    await session.flush()
    return record


async def add_scale_scores(session: AsyncSession, import_id: int, part: Part) -> None:
    """One part of the batch's scale scores, on each scale."""
    session.add_all(
        ScaleScore(
            import_id=import_id,
            scale=scale,
            position=part.position,
            respondent_keys=part.keys,
            scores=scores,
        )
        for scale, scores in part.scores.items()
    )
    await session.flush()
