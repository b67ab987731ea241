"""The rules of waves: one wave of each kind per school and cohort."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from common.pagination import Page, PageParams
from common.problems import InvalidInput, NotFound
from services.mvp_evaluation.instruments import repository as instruments
from services.mvp_evaluation.problems import WaveExists
from services.mvp_evaluation.schools import repository as schools
from services.mvp_evaluation.waves import repository
from services.mvp_evaluation.waves.models import Wave
from services.mvp_evaluation.waves.schemas import WaveCreate, WaveRead


def to_read(wave: Wave, code: str, version: int, *, min_cell_size: int | None) -> WaveRead:
    """The wave; its respondent count hidden when below `min_cell_size` (None: never)."""
    suppressed = min_cell_size is not None and wave.respondents < min_cell_size
    return WaveRead(
        id=wave.id,
        school_unit_code=wave.school_unit_code,
        instrument_code=code,
        instrument_version=version,
        kind=wave.kind,
        cohort=wave.cohort,
        administered_on=wave.administered_on,
        respondents=None if suppressed else wave.respondents,
        suppressed=suppressed,
        created_at=wave.created_at,
    )


async def create_wave(*, session: AsyncSession, data: WaveCreate) -> WaveRead:
    """Register a wave; the school and the instrument version must exist."""
    errors = []
    if await schools.get(session, data.school_unit_code) is None:
        errors.append(_unknown("school_unit_code", data.school_unit_code, "no such school"))
    instrument = await instruments.get(session, data.instrument_code, data.instrument_version)
    if instrument is None:
        errors.append(
            _unknown("instrument_version", data.instrument_version, "no such instrument version")
        )
    if errors or instrument is None:
        raise InvalidInput("The wave refers to what is not registered.", errors=errors)
    wave = Wave(
        school_unit_code=data.school_unit_code,
        instrument_id=instrument.id,
        kind=data.kind,
        cohort=data.cohort,
        administered_on=data.administered_on,
    )
    session.add(wave)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise WaveExists(
            f"School {data.school_unit_code} already has a {data.kind} wave in cohort "
            f"{data.cohort}."
        ) from exc
    await session.refresh(wave)
    return to_read(wave, instrument.code, instrument.version, min_cell_size=None)


def _unknown(field: str, value: object, message: str) -> dict[str, object]:
    return {"location": f"body.{field}", "message": message, "value": value}


async def read_wave(*, session: AsyncSession, wave_id: int, min_cell_size: int | None) -> WaveRead:
    """One wave by id."""
    row = await repository.get(session, wave_id)
    if row is None:
        raise NotFound(f"No wave {wave_id}.")
    wave, code, version = row
    return to_read(wave, code, version, min_cell_size=min_cell_size)


async def list_waves(
    *,
    session: AsyncSession,
    school_unit_code: str | None,
    cohort: str | None,
    kind: str | None,
    min_cell_size: int | None,
    params: PageParams,
) -> Page[WaveRead]:
    """Waves in id order, optionally filtered."""
    rows, total = await repository.page(
        session,
        school_unit_code=school_unit_code,
        cohort=cohort,
        kind=kind,
        limit=params.limit,
        offset=params.offset,
    )
    items = [to_read(w, c, v, min_cell_size=min_cell_size) for w, c, v in rows]
    return Page.of(items, total, params)
