"""The SQL of waves: the one place that reads, locks and writes them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, Select, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import equal_to, insert_or_raise, rows_page_of
from common.pagination import PageParams
from services.mvp_evaluation.instruments.models import Instrument
from services.mvp_evaluation.problems import WaveExists
from services.mvp_evaluation.waves.models import Wave
from services.mvp_evaluation.waves.schemas import WaveKind

WaveRow = Row[Wave, str, int]


def _with_instrument() -> Select[Wave, str, int]:
    return select(Wave, Instrument.code, Instrument.version).join(
        Instrument, Instrument.id == Wave.instrument_id
    )


async def get(session: AsyncSession, wave_id: int) -> Wave | None:
    return await session.get(Wave, wave_id)


async def get_with_instrument(session: AsyncSession, wave_id: int) -> WaveRow | None:
    """The wave with its instrument's code and version."""
    return (await session.execute(_with_instrument().where(Wave.id == wave_id))).one_or_none()


async def lock(session: AsyncSession, wave_id: int) -> Wave | None:
    """The wave as it is now, its row locked until the transaction ends (one batch at a time
    per wave)."""
    statement = (
        select(Wave)
        .where(Wave.id == wave_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def add(session: AsyncSession, wave: Wave) -> Wave:
    """Insert the wave (its id and defaults read back); 409 when the school has a wave of its
    kind in its cohort."""
    exists = WaveExists(
        f"School {wave.school_unit_code} already has a {wave.kind} wave in cohort {wave.cohort}."
    )
    await insert_or_raise(session, wave, exists=exists)
    await session.refresh(wave)
    return wave


async def add_respondents(session: AsyncSession, wave_id: int, count: int) -> None:
    """Count a batch's respondents into the wave, or out of it when `count` is negative
    (under its lock). Positions move on only: a deleted batch's are never given again."""
    values = {"respondents": Wave.respondents + count}
    if count > 0:
        values["next_position"] = Wave.next_position + count
    await session.execute(update(Wave).where(Wave.id == wave_id).values(**values))


async def version_has_data(session: AsyncSession, instrument_id: int) -> bool:
    """Whether a wave of this instrument version has respondents."""
    statement = select(exists().where(Wave.instrument_id == instrument_id, Wave.respondents > 0))
    return bool(await session.scalar(statement))


async def versions_with_data(session: AsyncSession, instrument_ids: Sequence[int]) -> set[int]:
    """Which of these instrument versions have a wave with respondents."""
    rows = await session.scalars(
        select(Wave.instrument_id)
        .where(Wave.instrument_id.in_(instrument_ids), Wave.respondents > 0)
        .distinct()
    )
    return set(rows)


async def page(
    session: AsyncSession,
    *,
    school_unit_code: str | None,
    cohort: str | None,
    kind: WaveKind | None,
    page: PageParams,
) -> tuple[list[WaveRow], int]:
    matching = equal_to(
        (Wave.school_unit_code, school_unit_code), (Wave.cohort, cohort), (Wave.kind, kind)
    )
    query = _with_instrument().where(*matching).order_by(Wave.id)
    return await rows_page_of(session, query, page)
