"""Pseudonymous item-level exports: a wave's responses as CSV, exactly as they were imported."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.responses import StreamingResponse

from common.problems import NotFound
from services.mvp_evaluation.exports import repository
from services.mvp_evaluation.responses.repository import get_wave, items_of

Delimiter = Literal["comma", "semicolon"]
DELIMITERS = {"comma": ",", "semicolon": ";"}


def _lines(rows: Sequence[Sequence[object]], delimiter: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


async def export_responses(
    *, session: AsyncSession, engine: AsyncEngine, wave_id: int, delimiter: Delimiter
) -> StreamingResponse:
    """A wave's responses as CSV: a header of `respondent` and the item codes, one row per
    respondent in import order, a blank cell for a missing answer."""
    wave = await get_wave(session, wave_id)
    if wave is None:
        raise NotFound(f"No wave {wave_id}.")
    codes = [item.code for item in await items_of(session, wave.instrument_id)]
    separator = DELIMITERS[delimiter]

    async def body() -> AsyncIterator[bytes]:
        yield _lines([["respondent", *codes]], separator)
        async for chunk in repository.responses(engine, wave_id):
            rows = [
                [respondent, *("" if value is None else value for value in answers)]
                for respondent, answers in chunk
            ]
            yield _lines(rows, separator)

    filename = f"wave-{wave_id}-responses.csv"
    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
