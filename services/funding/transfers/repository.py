"""Every query on transfer, and the only statements that change an account's balances.

Each balance change is one UPDATE inside PostgreSQL; a debit carries its own condition
(`kind = 'source' OR available >= amount`), so no read-then-write race can overspend, and
`ck_account_no_overspend` stands behind it. Rows are locked in code order first, so two
requests touching the same accounts never deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Table, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.accounts.models import Account
from services.funding.transfers.models import Transfer

_account: Table = Account.__table__  # type: ignore[assignment]  # a mapped class's Table
_available = _account.c.credited_ore - _account.c.debited_ore - _account.c.pending_ore


async def lock_accounts(session: AsyncSession, codes: Iterable[str]) -> set[str]:
    """Lock the accounts (FOR NO KEY UPDATE) in code order; the codes that exist."""
    statement = (
        select(_account.c.code)
        .where(_account.c.code.in_(sorted(set(codes))))
        .order_by(_account.c.code)
        .with_for_update(key_share=True)
    )
    return set((await session.scalars(statement)).all())


async def debit(session: AsyncSession, code: str, amount: int, *, pending: bool) -> bool:
    """Take `amount` from the account (reserve it when pending) if it has it; False if not."""
    column = _account.c.pending_ore if pending else _account.c.debited_ore
    statement = (
        update(_account)
        .where(_account.c.code == code, or_(_account.c.kind == "source", _available >= amount))
        .values({column: column + amount})
        .returning(_account.c.code)
    )
    return (await session.execute(statement)).first() is not None


async def credit(session: AsyncSession, code: str, amount: int) -> None:
    await session.execute(
        update(_account)
        .where(_account.c.code == code)
        .values(credited_ore=_account.c.credited_ore + amount)
    )


async def post_reserved(session: AsyncSession, code: str, amount: int) -> None:
    """A reservation becomes a debit: available is unchanged."""
    await session.execute(
        update(_account)
        .where(_account.c.code == code)
        .values(
            pending_ore=_account.c.pending_ore - amount,
            debited_ore=_account.c.debited_ore + amount,
        )
    )


async def release_reserved(session: AsyncSession, code: str, amount: int) -> None:
    await session.execute(
        update(_account)
        .where(_account.c.code == code)
        .values(pending_ore=_account.c.pending_ore - amount)
    )


async def available(session: AsyncSession, code: str) -> int:
    return int(await session.scalar(select(_available).where(_account.c.code == code)) or 0)


async def add(session: AsyncSession, transfer: Transfer) -> Transfer:
    session.add(transfer)
    await session.flush()
    return transfer


async def get(session: AsyncSession, transfer_id: int, *, lock: bool = False) -> Transfer | None:
    statement = (
        select(Transfer).where(Transfer.id == transfer_id).execution_options(populate_existing=True)
    )
    if lock:
        statement = statement.with_for_update(key_share=True)
    return (await session.scalars(statement)).one_or_none()


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def reversed_amount(session: AsyncSession, original: Transfer) -> int:
    """What corrections in the reverse direction have already taken back of a transfer."""
    statement = select(func.coalesce(func.sum(Transfer.amount_ore), 0)).where(
        Transfer.corrects_id == original.id,
        Transfer.state != "voided",
        Transfer.from_account == original.to_account,
        Transfer.to_account == original.from_account,
    )
    return int(await session.scalar(statement) or 0)


async def of_application(session: AsyncSession, application_ids: Iterable[int]) -> list[Transfer]:
    statement = (
        select(Transfer)
        .where(Transfer.application_id.in_(set(application_ids)))
        .order_by(Transfer.id)
        .execution_options(populate_existing=True)
    )
    return list(await session.scalars(statement))


async def page(
    session: AsyncSession, *, condition: ColumnElement[bool], limit: int, offset: int
) -> tuple[list[Transfer], int]:
    total = await session.scalar(select(func.count()).select_from(Transfer).where(condition))
    rows = await session.scalars(
        select(Transfer)
        .where(condition)
        .order_by(Transfer.id)
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return list(rows), total or 0
