"""The SQL of instruments and items."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.mvp_evaluation.instruments.models import Instrument
from services.mvp_evaluation.waves.models import Wave


async def get(
    session: AsyncSession, code: str, version: int, *, for_update: bool = False
) -> Instrument | None:
    statement = (
        select(Instrument)
        .where(Instrument.code == code, Instrument.version == version)
        .options(selectinload(Instrument.items))
    )
    if for_update:
        statement = statement.with_for_update(of=Instrument)
    return (await session.scalars(statement)).one_or_none()


async def get_by_id(session: AsyncSession, instrument_id: int) -> Instrument | None:
    statement = (
        select(Instrument)
        .where(Instrument.id == instrument_id)
        .options(selectinload(Instrument.items))
    )
    return (await session.scalars(statement)).one_or_none()


async def has_data(session: AsyncSession, instrument_id: int) -> bool:
    statement = select(exists().where(Wave.instrument_id == instrument_id, Wave.respondents > 0))
    return bool(await session.scalar(statement))


async def locked_ids(session: AsyncSession, instrument_ids: Sequence[int]) -> set[int]:
    rows = await session.scalars(
        select(Wave.instrument_id)
        .where(Wave.instrument_id.in_(instrument_ids), Wave.respondents > 0)
        .distinct()
    )
    return set(rows)


async def page(
    session: AsyncSession, *, code: str | None, limit: int, offset: int
) -> tuple[Sequence[Instrument], int]:
    conditions = [Instrument.code == code] if code is not None else []
    total = await session.scalar(select(func.count()).select_from(Instrument).where(*conditions))
    rows = await session.scalars(
        select(Instrument)
        .where(*conditions)
        .options(selectinload(Instrument.items))
        .order_by(Instrument.code, Instrument.version)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)
