"""The rules of instruments: a version with data is immutable; a change is a new version."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from common.pagination import Page, PageParams
from common.problems import NotFound
from services.mvp_evaluation.instruments import repository
from services.mvp_evaluation.instruments.models import Instrument, Item
from services.mvp_evaluation.instruments.schemas import (
    InstrumentCreate,
    InstrumentRead,
    ItemSpec,
    ScaleRead,
)
from services.mvp_evaluation.problems import InstrumentVersionLocked
from services.mvp_evaluation.waves import repository as waves


def scales_of(items: list[ItemSpec]) -> list[ScaleRead]:
    """The scales the items make, in order of first appearance."""
    scales: dict[str, list[str]] = {}
    for item in items:
        scales.setdefault(item.scale, []).append(item.code)
    return [ScaleRead(code=code, items=codes) for code, codes in scales.items()]


def to_read(instrument: Instrument, *, locked: bool) -> InstrumentRead:
    items = [ItemSpec.model_validate(item) for item in instrument.items]
    return InstrumentRead(
        code=instrument.code,
        version=instrument.version,
        items=items,
        scales=scales_of(items),
        locked=locked,
        created_at=instrument.created_at,
    )


def _items(data: InstrumentCreate) -> list[Item]:
    return [
        Item(position=position, **item.model_dump())
        for position, item in enumerate(data.items, start=1)
    ]


async def save_instrument(
    session: AsyncSession, *, data: InstrumentCreate
) -> tuple[InstrumentRead, bool]:
    """Create a version (and say it was created); the same items again change nothing; other
    items replace them while no wave of the version has data, and afterwards are 409."""
    existing = await repository.lock(session, data.code, data.version)
    if existing is None:
        instrument = Instrument(code=data.code, version=data.version, items=_items(data))
        await repository.add(session, instrument)
        return to_read(instrument, locked=False), True
    locked = await waves.version_has_data(session, existing.id)
    current = [ItemSpec.model_validate(item) for item in existing.items]
    if current == data.items:
        return to_read(existing, locked=locked), False
    if locked:
        raise InstrumentVersionLocked(
            f"Instrument {data.code} version {data.version} has data and cannot change; "
            f"post the changed items as a new version."
        )
    await repository.replace_items(session, existing, _items(data))
    return to_read(existing, locked=False), False


async def read_instrument(session: AsyncSession, *, code: str, version: int) -> InstrumentRead:
    """One version of an instrument."""
    instrument = await repository.get(session, code, version)
    if instrument is None:
        raise NotFound(f"No instrument {code} version {version}.")
    locked = await waves.version_has_data(session, instrument.id)
    return to_read(instrument, locked=locked)


async def list_instruments(
    session: AsyncSession, *, code: str | None, params: PageParams
) -> Page[InstrumentRead]:
    """Instrument versions in code and version order."""
    rows, total = await repository.page(session, code=code, page=params)
    locked = await waves.versions_with_data(session, [row.id for row in rows])
    return Page.of([to_read(row, locked=row.id in locked) for row in rows], total, params)
