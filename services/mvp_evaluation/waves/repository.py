"""The SQL of waves."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mvp_evaluation.instruments.models import Instrument
from services.mvp_evaluation.waves.models import Wave

WaveRow = Row[Wave, str, int]


def _with_instrument() -> Select[Wave, str, int]:
    return select(Wave, Instrument.code, Instrument.version).join(
        Instrument, Instrument.id == Wave.instrument_id
    )


async def get(session: AsyncSession, wave_id: int) -> WaveRow | None:
    return (await session.execute(_with_instrument().where(Wave.id == wave_id))).one_or_none()


async def lock(session: AsyncSession, wave_id: int) -> Wave | None:
    """The wave, its row locked until the transaction ends (one batch at a time per wave)."""
    statement = select(Wave).where(Wave.id == wave_id).with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def page(
    session: AsyncSession,
    *,
    school_unit_code: str | None,
    cohort: str | None,
    kind: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[WaveRow], int]:
    conditions = []
    if school_unit_code is not None:
        conditions.append(Wave.school_unit_code == school_unit_code)
    if cohort is not None:
        conditions.append(Wave.cohort == cohort)
    if kind is not None:
        conditions.append(Wave.kind == kind)
    total = await session.scalar(select(func.count()).select_from(Wave).where(*conditions))
    rows = await session.execute(
        _with_instrument().where(*conditions).order_by(Wave.id).limit(limit).offset(offset)
    )
    return rows.all(), int(total or 0)
