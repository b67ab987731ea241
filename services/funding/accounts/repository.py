"""Every query on account (balances are changed in transfers.repository, never here)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, Role
from common.db import equal_to, insert_or_raise, page_of
from common.pagination import PageParams
from services.funding.accounts.models import Account
from services.funding.accounts.schemas import AccountFilter, AccountKind
from services.funding.problems import AccountExists


def readable_by(principal: Principal) -> ColumnElement[bool]:
    """The accounts a principal may read: all (admin), its county's (rss), its own (organiser)."""
    if principal.role is Role.admin:
        return true()
    if principal.role is Role.rss:
        return and_(
            Account.kind == AccountKind.county, Account.county_code == principal.county_code
        )
    if principal.role is Role.organiser:
        return and_(
            Account.kind == AccountKind.organiser,
            Account.organisation_number == principal.organisation_number,
        )
    return false()


def readable_codes(principal: Principal) -> Select[str]:
    """The codes of the accounts a principal may read, as a subquery."""
    return select(Account.code).where(readable_by(principal))


def codes_of_year(year: int) -> Select[str]:
    """The codes of a year's accounts, as a subquery."""
    return select(Account.code).where(Account.year == year)


def _fresh() -> Select[Account]:
    """Accounts as they are now (another statement may have changed their balances)."""
    return select(Account).execution_options(populate_existing=True)


async def get(session: AsyncSession, code: str) -> Account | None:
    """The account with fresh balances."""
    return (await session.scalars(_fresh().where(Account.code == code))).one_or_none()


async def get_many(session: AsyncSession, codes: Iterable[str]) -> dict[str, Account]:
    statement = _fresh().where(Account.code.in_(set(codes)))
    return {account.code: account for account in await session.scalars(statement)}


async def add(session: AsyncSession, account: Account) -> Account:
    """Insert a new account; 409 account-exists when its code is taken (found first, or by
    the primary key when a concurrent request opened the same code meanwhile)."""
    exists = AccountExists(f"An account with code {account.code} exists.", code=account.code)
    if await get(session, account.code) is not None:
        raise exists
    return await insert_or_raise(session, account, exists=exists)


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
    session: AsyncSession, *, principal: Principal, filters: AccountFilter, page: PageParams
) -> tuple[list[Account], int]:
    """The accounts the principal may read that match the filters, by code."""
    matching = equal_to(
        (Account.year, filters.year),
        (Account.kind, filters.kind),
        (Account.county_code, filters.county_code),
        (Account.parent_code, filters.parent_code),
    )
    statement = _fresh().where(readable_by(principal), *matching).order_by(Account.code)
    return await page_of(session, statement, page)


async def summary_rows(
    session: AsyncSession, *, year: int | None, principal: Principal
) -> list[Account]:
    """The accounts of a year (every year when None) in the summary: the whole tree, but an
    rss sees no other county's and no organiser's."""
    statement = _fresh().order_by(Account.year, Account.code)
    if principal.role is Role.rss:
        budgets = Account.kind.in_((AccountKind.source, AccountKind.budget))
        statement = statement.where(or_(budgets, readable_by(principal)))
    if year is not None:
        statement = statement.where(Account.year == year)
    return list(await session.scalars(statement))
