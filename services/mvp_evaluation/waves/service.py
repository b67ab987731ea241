"""The rules of waves: one wave of each kind per school and cohort."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from common.pagination import Page, PageParams
from common.problems import NotFound, field_error, invalid_many
from services.mvp_evaluation.instruments import repository as instruments
from services.mvp_evaluation.schools import repository as schools
from services.mvp_evaluation.waves import repository
from services.mvp_evaluation.waves.models import Wave
from services.mvp_evaluation.waves.schemas import WaveCreate, WaveKind, WaveRead


def to_read(wave: Wave, code: str, version: int, *, min_cell_size: int | None) -> WaveRead:
    """The wave; its respondent count hidden when below `min_cell_size` (None: never)."""
    suppressed = min_cell_size is not None and wave.respondents < min_cell_size
    return WaveRead(
        id=wave.id,
        school_unit_code=wave.school_unit_code,
        instrument_code=code,
        instrument_version=version,
        kind=WaveKind(wave.kind),
        cohort=wave.cohort,
        administered_on=wave.administered_on,
        respondents=None if suppressed else wave.respondents,
        suppressed=suppressed,
        created_at=wave.created_at,
        locked_at=wave.locked_at,
        locked_by=wave.locked_by,
    )


async def create_wave(session: AsyncSession, *, data: WaveCreate) -> WaveRead:
    """Register a wave; the school and the instrument version must exist."""
    errors = []
    if await schools.get(session, data.school_unit_code) is None:
        errors.append(field_error("body.school_unit_code", "no such school", data.school_unit_code))
    instrument = await instruments.get(session, data.instrument_code, data.instrument_version)
    if instrument is None:
        errors.append(
            field_error(
                "body.instrument_version", "no such instrument version", data.instrument_version
            )
        )
    if errors or instrument is None:
        raise invalid_many(errors, detail="The wave refers to what is not registered.")
    wave = Wave(
        school_unit_code=data.school_unit_code,
        instrument_id=instrument.id,
        kind=data.kind,
        cohort=data.cohort,
        administered_on=data.administered_on,
    )
    await repository.add(session, wave)
    return to_read(wave, instrument.code, instrument.version, min_cell_size=None)


async def read_wave(session: AsyncSession, *, wave_id: int, min_cell_size: int | None) -> WaveRead:
    """One wave by id."""
    row = await repository.get_with_instrument(session, wave_id)
    if row is None:
        raise NotFound(f"No wave {wave_id}.")
    wave, code, version = row
    return to_read(wave, code, version, min_cell_size=min_cell_size)


async def list_waves(
    session: AsyncSession,
    *,
    school_unit_code: str | None,
    cohort: str | None,
    kind: WaveKind | None,
    min_cell_size: int | None,
    params: PageParams,
) -> Page[WaveRead]:
    """Waves in id order, optionally filtered."""
    rows, total = await repository.page(
        session,
        school_unit_code=school_unit_code,
        cohort=cohort,
        kind=kind,
        page=params,
    )
    items = [to_read(w, c, v, min_cell_size=min_cell_size) for w, c, v in rows]
    return Page.of(items, total, params)
