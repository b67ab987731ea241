"""Every query on account (balances are changed in transfers.repository, never here)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.accounts.models import Account


async def get(session: AsyncSession, code: str) -> Account | None:
    """The account with fresh balances (another statement may have changed them)."""
    statement = (
        select(Account).where(Account.code == code).execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def get_many(session: AsyncSession, codes: Iterable[str]) -> dict[str, Account]:
    statement = (
        select(Account)
        .where(Account.code.in_(set(codes)))
        .execution_options(populate_existing=True)
    )
    return {account.code: account for account in await session.scalars(statement)}


async def add(session: AsyncSession, account: Account) -> Account:
    session.add(account)
    await session.flush()
    return account


async def add_if_missing(session: AsyncSession, account: Account) -> Account:
    """Insert unless the code exists (a concurrent request may have made it); the stored row."""
    values = {
        "code": account.code,
        "name": account.name,
        "year": account.year,
        "kind": account.kind,
        "parent_code": account.parent_code,
        "county_code": account.county_code,
        "organisation_number": account.organisation_number,
        "created_by": account.created_by,
    }
    await session.execute(insert(Account).values(**values).on_conflict_do_nothing())
    stored = await get(session, account.code)
    assert stored is not None  # inserted now or by the request that won the race
    return stored


async def page(
    session: AsyncSession, *, condition: ColumnElement[bool], limit: int, offset: int
) -> tuple[list[Account], int]:
    total = await session.scalar(select(func.count()).select_from(Account).where(condition))
    rows = await session.scalars(
        select(Account)
        .where(condition)
        .order_by(Account.code)
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return list(rows), total or 0


async def of_year(
    session: AsyncSession, *, year: int | None, condition: ColumnElement[bool]
) -> list[Account]:
    """The accounts of a year (every year when None), fresh from the database."""
    if year is not None:
        condition = condition & (Account.year == year)
    rows = await session.scalars(
        select(Account)
        .where(condition)
        .order_by(Account.year, Account.code)
        .execution_options(populate_existing=True)
    )
    return list(rows)
