"""The SQL of exports: a wave's responses in the order they were imported, streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.mvp_evaluation.responses.models import Response

ROWS_PER_FETCH = 2000


async def responses(
    engine: AsyncEngine, wave_id: int
) -> AsyncIterator[Sequence[tuple[str, list[int | None]]]]:
    """(respondent, answers) of the wave, a few thousand rows at a time, on a connection of
    its own: the request's session has ended when a streamed body is sent."""
    statement = (
        select(Response.respondent, Response.answers)
        .where(Response.wave_id == wave_id)
        .order_by(Response.position)
        .execution_options(yield_per=ROWS_PER_FETCH)
    )
    async with engine.connect() as connection:
        result = await connection.stream(statement)
        async for partition in result.partitions(ROWS_PER_FETCH):
            yield [(row[0], row[1]) for row in partition]
