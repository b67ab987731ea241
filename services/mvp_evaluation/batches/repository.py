"""The SQL of batches: a wave's imports, the rows of one, and the wave's audit trail."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import page_of
from common.pagination import PageParams
from services.mvp_evaluation.responses.models import Response, ResponseImport, ScaleScore
from services.mvp_evaluation.waves.models import WaveEvent


async def page(
    session: AsyncSession, *, wave_id: int, page: PageParams
) -> tuple[list[ResponseImport], int]:
    statement = (
        select(ResponseImport).where(ResponseImport.wave_id == wave_id).order_by(ResponseImport.id)
    )
    return await page_of(session, statement, page)


async def get(session: AsyncSession, *, wave_id: int, batch_id: int) -> ResponseImport | None:
    """The wave's batch, its row locked (the wave's lock is held already)."""
    statement = (
        select(ResponseImport)
        .where(ResponseImport.id == batch_id, ResponseImport.wave_id == wave_id)
        .with_for_update()
    )
    return (await session.scalars(statement)).one_or_none()


async def remove_rows(session: AsyncSession, batch: ResponseImport) -> int:
    """Delete the batch's respondents (its positions) and scale scores; how many rows went."""
    end = batch.first_position + batch.rows
    removed = await session.execute(
        delete(Response).where(
            Response.wave_id == batch.wave_id,
            Response.position >= batch.first_position,
            Response.position < end,
        )
    )
    await session.execute(delete(ScaleScore).where(ScaleScore.import_id == batch.id))
    count: int = removed.rowcount  # type: ignore[attr-defined]  # a DML result has it
    return count


async def events(
    session: AsyncSession, *, wave_id: int, page: PageParams
) -> tuple[list[WaveEvent], int]:
    statement = select(WaveEvent).where(WaveEvent.wave_id == wave_id).order_by(WaveEvent.id)
    return await page_of(session, statement, page)
