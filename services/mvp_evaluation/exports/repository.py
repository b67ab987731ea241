"""The SQL of exports: a wave's responses as CSV lines, made by PostgreSQL and streamed.

PostgreSQL writes each line (`COPY ... TO STDOUT`), so no row becomes a Python object on the
way. A line is the respondent code and the answers joined by the separator, a blank for a
missing answer: exactly what `common.csvfile` writes for these rows, since a respondent code
(letters, digits and . _ - : /, starting with a letter or digit) never needs quoting, never
reads as a formula, and holds no character that COPY's text format escapes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from services.mvp_evaluation.db import SCHEMA

SEPARATORS = (",", ";")
CHUNKS_AHEAD = 4  # COPY waits while this many chunks wait for a slow client


def _lines_query(wave_id: int, separator: str) -> str:
    """The SELECT whose rows COPY writes (asyncpg wraps it in `COPY (...) TO STDOUT`)."""
    if separator not in SEPARATORS:
        raise ValueError(f"not a separator: {separator!r}")
    # The wave id is an int, the separator one of two constants: nothing can be injected.
    select = f"SELECT respondent || '{separator}' || array_to_string(answers, '{separator}', '')"
    rows = f"FROM {SCHEMA}.response WHERE wave_id = {int(wave_id)} ORDER BY position"
    return f"{select} {rows}"


async def response_lines(engine: AsyncEngine, wave_id: int, separator: str) -> AsyncIterator[bytes]:
    """The wave's rows as CSV lines (CRLF) in import order, a chunk at a time, on a connection
    of its own: the request's session has ended when a streamed body is sent."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: asyncpg.Connection = raw.driver_connection
        chunks: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=CHUNKS_AHEAD)

        async def keep(data: bytes | bytearray | memoryview) -> None:
            await chunks.put(bytes(data))  # asyncpg may reuse its buffer once this returns

        async def copy() -> None:
            try:
                await driver.copy_from_query(_lines_query(wave_id, separator), output=keep)
            finally:
                await chunks.put(None)  # the end, or a failure for `await task` to raise

        task = asyncio.create_task(copy())
        try:
            while (chunk := await chunks.get()) is not None:
                yield chunk.replace(b"\n", b"\r\n")  # no line holds a newline of its own
            await task  # its error, if it failed
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
