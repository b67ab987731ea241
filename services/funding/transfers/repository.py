"""Every query on transfer, and the only statements that change an account's balances.

Each balance change is one UPDATE inside PostgreSQL; a debit carries its own condition
(`kind = 'source' OR available >= amount`), so no read-then-write race can overspend, and
`ck_account_no_overspend` stands behind it. Rows are locked in code order first, so two
requests touching the same accounts never deadlock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Date,
    Integer,
    Interval,
    Select,
    String,
    Table,
    bindparam,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, Role
from common.db import equal_to, page_of
from common.pagination import PageParams
from services.funding.accounts import repository as accounts
from services.funding.accounts.models import Account
from services.funding.accounts.schemas import AccountKind
from services.funding.problems import InsufficientFunds, LedgerRangeExceeded
from services.funding.transfers.models import Transfer
from services.funding.transfers.schemas import TransferFilter, TransferState

_account: Table = Account.__table__  # type: ignore[assignment]  # a mapped class's Table
_available = _account.c.credited_ore - _account.c.debited_ore - _account.c.pending_ore


@asynccontextmanager
async def database_guards() -> AsyncIterator[None]:
    """The database's own refusals inside the block, as problems: the `no_overspend` CHECK
    (the last guard behind the conditional debit) is 409 insufficient-funds, a balance
    beyond bigint is 409 ledger-range-exceeded (the request's transaction then rolls back)."""
    try:
        yield
    except IntegrityError as exc:
        if "no_overspend" in str(exc.orig):
            raise InsufficientFunds("The transfer would overspend an account.") from exc
        raise
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "22003":  # numeric_value_out_of_range
            raise LedgerRangeExceeded(
                "The transfer would take a balance beyond what the ledger can hold."
            ) from exc
        raise


async def lock_accounts(session: AsyncSession, codes: Iterable[str]) -> set[str]:
    """Lock the accounts (FOR NO KEY UPDATE) in code order; the codes that exist."""
    statement = (
        select(_account.c.code)
        .where(_account.c.code.in_(sorted(set(codes))))
        .order_by(_account.c.code)
        .with_for_update(key_share=True)
    )
    return set((await session.scalars(statement)).all())


async def _take(session: AsyncSession, column: Column[int], code: str, amount: int) -> bool:
    """Add `amount` to the account's debited or pending column if it has the amount
    available (a source always has); False if not, and nothing changed."""
    statement = (
        update(_account)
        .where(
            _account.c.code == code,
            or_(_account.c.kind == AccountKind.source, _available >= amount),
        )
        .values({column: column + amount})
        .returning(_account.c.code)
    )
    return (await session.execute(statement)).first() is not None


async def debit(session: AsyncSession, code: str, amount: int) -> bool:
    """Take `amount` from the account if it has it; False if not."""
    return await _take(session, _account.c.debited_ore, code, amount)


async def reserve(session: AsyncSession, code: str, amount: int) -> bool:
    """Reserve `amount` on the account (a pending transfer) if it has it; False if not."""
    return await _take(session, _account.c.pending_ore, code, amount)


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


def _fresh() -> Select[Transfer]:
    """Transfers as they are now (another request may have settled them)."""
    return select(Transfer).execution_options(populate_existing=True)


async def get(session: AsyncSession, transfer_id: int) -> Transfer | None:
    return (await session.scalars(_fresh().where(Transfer.id == transfer_id))).one_or_none()


async def get_locked(session: AsyncSession, transfer_id: int) -> Transfer | None:
    """The transfer, its row held (FOR NO KEY UPDATE) so that it settles once."""
    statement = _fresh().where(Transfer.id == transfer_id).with_for_update(key_share=True)
    return (await session.scalars(statement)).one_or_none()


async def settle(session: AsyncSession, transfer: Transfer, state: TransferState) -> None:
    """A pending transfer becomes posted or voided, now (the caller has moved the balances)."""
    transfer.state = state.value
    transfer.settled_at = datetime.now(UTC)
    await session.flush()


_MAKE_TRANSFER = select(
    func.funding.make_transfer(
        bindparam("client_id", type_=String),
        bindparam("role", type_=String),
        bindparam("key", type_=String),
        bindparam("lock_name", type_=String),
        bindparam("fingerprint", type_=String),
        bindparam("retention", type_=Interval),
        bindparam("from_account", type_=String),
        bindparam("to_account", type_=String),
        bindparam("amount_ore", type_=BigInteger),
        bindparam("kind", type_=String),
        bindparam("pending", type_=Boolean),
        bindparam("note", type_=String),
        bindparam("corrects_id", type_=Integer),
        bindparam("request_id", type_=String),
        bindparam("decision", type_=String),
        bindparam("decided_on", type_=Date),
        type_=JSONB,
    )
)


async def make_transfer(session: AsyncSession, **arguments: object) -> dict[str, Any]:
    """POST /transfers in one statement, `funding.make_transfer` (see its migration): key,
    checks, locks, debit, credit, transfer, audit event and stored response. It runs as its
    own transaction (AUTOCOMMIT), so the accounts' rows are held for the function and its
    commit only; the request's session must not have done anything before it."""
    connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    outcome: dict[str, Any] = (await connection.execute(_MAKE_TRANSFER, arguments)).scalar_one()
    return outcome


async def of_application(session: AsyncSession, application_ids: Iterable[int]) -> list[Transfer]:
    statement = _fresh().where(Transfer.application_id.in_(set(application_ids)))
    return list(await session.scalars(statement.order_by(Transfer.id)))


def _readable_by(principal: Principal) -> ColumnElement[bool]:
    """The transfers a principal may read: those touching an account it may read."""
    if principal.role is Role.admin:
        return true()
    codes = accounts.readable_codes(principal)
    return or_(Transfer.from_account.in_(codes), Transfer.to_account.in_(codes))


async def page(
    session: AsyncSession, *, principal: Principal, filters: TransferFilter, page: PageParams
) -> tuple[list[Transfer], int]:
    """The transfers the principal may read that match the filters, oldest first."""
    conditions = [_readable_by(principal)]
    if filters.account is not None:
        account = filters.account
        conditions.append(or_(Transfer.from_account == account, Transfer.to_account == account))
    if filters.year is not None:
        conditions.append(Transfer.from_account.in_(accounts.codes_of_year(filters.year)))
    conditions += equal_to(
        (Transfer.from_account, filters.from_account),
        (Transfer.to_account, filters.to_account),
        (Transfer.kind, filters.kind),
        (Transfer.state, filters.state),
    )
    statement = _fresh().where(*conditions).order_by(Transfer.id)
    return await page_of(session, statement, page)
