"""The SQL of instruments and items."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from common.db import equal_to, insert_or_raise, page_of
from common.pagination import PageParams
from services.mvp_evaluation.instruments.models import Instrument, Item
from services.mvp_evaluation.problems import InstrumentVersionLocked


def _version(code: str, version: int) -> Select[Instrument]:
    return (
        select(Instrument)
        .where(Instrument.code == code, Instrument.version == version)
        .options(selectinload(Instrument.items))
    )


async def get(session: AsyncSession, code: str, version: int) -> Instrument | None:
    return (await session.scalars(_version(code, version))).one_or_none()


async def lock(session: AsyncSession, code: str, version: int) -> Instrument | None:
    """The version with its items, its row locked until the transaction ends."""
    statement = _version(code, version).with_for_update(of=Instrument)
    return (await session.scalars(statement)).one_or_none()


async def share_lock(session: AsyncSession, instrument_id: int) -> None:
    """Hold the version share-locked until the transaction ends: its items cannot be
    replaced meanwhile."""
    await session.execute(
        select(Instrument.id).where(Instrument.id == instrument_id).with_for_update(read=True)
    )


async def items_of(session: AsyncSession, instrument_id: int) -> list[Item]:
    """The version's items in their order (the order of each answers array)."""
    rows = await session.scalars(
        select(Item).where(Item.instrument_id == instrument_id).order_by(Item.position)
    )
    return list(rows)


async def add(session: AsyncSession, instrument: Instrument) -> Instrument:
    """Insert the version with its items; 409 when a concurrent request registered it first."""
    exists = InstrumentVersionLocked(
        f"Instrument {instrument.code} version {instrument.version} was created meanwhile; retry."
    )
    await insert_or_raise(session, instrument, exists=exists)
    await session.refresh(instrument, ["created_at"])
    return instrument


async def replace_items(session: AsyncSession, instrument: Instrument, items: list[Item]) -> None:
    """The version's items deleted, then these inserted (positions and codes are unique)."""
    instrument.items.clear()
    await session.flush()
    instrument.items.extend(items)
    await session.flush()


async def page(
    session: AsyncSession, *, code: str | None, page: PageParams
) -> tuple[list[Instrument], int]:
    query = select(Instrument).where(*equal_to((Instrument.code, code)))
    ordered = query.options(selectinload(Instrument.items)).order_by(
        Instrument.code, Instrument.version
    )
    return await page_of(session, ordered, page)
