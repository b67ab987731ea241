"""The ledger's rules: transfers that never overspend, pending ones that settle once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, Role
from common.context import current_request_id
from common.pagination import PageParams
from common.problems import NotFound, field_error, invalid, invalid_many
from services.funding.accounts import repository as accounts
from services.funding.accounts import service as account_rules
from services.funding.accounts.models import Account
from services.funding.audit import service as audit
from services.funding.problems import InsufficientFunds, ManagedByApplication, TransferNotPending
from services.funding.transfers import repository
from services.funding.transfers.models import Transfer
from services.funding.transfers.schemas import (
    TransferCreate,
    TransferFilter,
    TransferKind,
    TransferState,
)


@dataclass(frozen=True)
class Movement:
    """One transfer to make: the accounts are known to exist and be of one year."""

    from_account: str
    to_account: str
    amount_ore: int
    kind: TransferKind
    pending: bool = False
    note: str | None = None
    corrects_id: int | None = None
    application_id: int | None = None


async def _insufficient(session: AsyncSession, code: str, amount: int) -> InsufficientFunds:
    available = await repository.available(session, code)
    return InsufficientFunds(
        f"Account {code} has {available} öre available; {amount} öre were asked for.",
        account=code,
        available_ore=available,
        amount_ore=amount,
    )


async def move(
    session: AsyncSession, movements: Sequence[Movement], *, principal: Principal
) -> list[Transfer]:
    """Make the transfers, all or none: lock every account in code order, then debit each
    (only if the account has the amount, decided by PostgreSQL), credit and store it; then
    audit each."""
    codes = {m.from_account for m in movements} | {m.to_account for m in movements}
    made = []
    async with repository.database_guards():
        await repository.lock_accounts(session, codes)
        for m in movements:
            take = repository.reserve if m.pending else repository.debit
            if not await take(session, m.from_account, m.amount_ore):
                raise await _insufficient(session, m.from_account, m.amount_ore)
            if not m.pending:
                await repository.credit(session, m.to_account, m.amount_ore)
            made.append(await repository.add(session, _transfer(m, principal)))
    for transfer in made:
        await _record(session, principal, "transfer.created", transfer)
    return made


def _transfer(m: Movement, principal: Principal) -> Transfer:
    state = TransferState.pending if m.pending else TransferState.posted
    return Transfer(
        from_account=m.from_account,
        to_account=m.to_account,
        amount_ore=m.amount_ore,
        kind=m.kind.value,
        state=state.value,
        note=m.note,
        corrects_id=m.corrects_id,
        application_id=m.application_id,
        created_by=principal.client_id,
        request_id=current_request_id(),
    )


async def post_transfer(
    session: AsyncSession, *, transfer_id: int, principal: Principal
) -> Transfer:
    """Post a pending transfer: the reservation becomes a debit, the receiver is credited.
    A transfer settles once (else 409); one of a grant application only through it."""
    transfer = await _settleable(session, transfer_id)
    async with repository.database_guards():
        await repository.lock_accounts(session, {transfer.from_account, transfer.to_account})
        await repository.post_reserved(session, transfer.from_account, transfer.amount_ore)
        await repository.credit(session, transfer.to_account, transfer.amount_ore)
        await repository.settle(session, transfer, TransferState.posted)
    await _record(session, principal, "transfer.posted", transfer)
    return transfer


async def void_transfer(
    session: AsyncSession, *, transfer_id: int, principal: Principal
) -> Transfer:
    """Void a pending transfer: the reservation is released and nothing moves. A transfer
    settles once (else 409); one of a grant application only through it."""
    return await _void(session, await _settleable(session, transfer_id), principal)


async def release_reservation(
    session: AsyncSession, *, transfer_id: int, principal: Principal
) -> Transfer:
    """Void a grant application's pending reservation (its payments and settlement do)."""
    return await _void(session, await _pending(session, transfer_id), principal)


async def _void(session: AsyncSession, transfer: Transfer, principal: Principal) -> Transfer:
    async with repository.database_guards():
        await repository.lock_accounts(session, {transfer.from_account, transfer.to_account})
        await repository.release_reserved(session, transfer.from_account, transfer.amount_ore)
        await repository.settle(session, transfer, TransferState.voided)
    await _record(session, principal, "transfer.voided", transfer)
    return transfer


async def _settleable(session: AsyncSession, transfer_id: int) -> Transfer:
    """The pending transfer, locked, unless it belongs to a grant application (409)."""
    transfer = await _pending(session, transfer_id)
    if transfer.application_id is not None:
        raise ManagedByApplication(
            f"Transfer {transfer_id} belongs to grant application {transfer.application_id}; "
            "settle it through the application's payments and settlement.",
            application_id=transfer.application_id,
        )
    return transfer


async def _pending(session: AsyncSession, transfer_id: int) -> Transfer:
    """The transfer, locked, if it is pending (404 if there is none, 409 if settled)."""
    transfer = await repository.get_locked(session, transfer_id)
    if transfer is None:
        raise NotFound(f"No transfer with id {transfer_id}.")
    if transfer.state != TransferState.pending:
        raise TransferNotPending(
            f"Transfer {transfer_id} is {transfer.state}; only a pending transfer settles.",
            state=transfer.state,
        )
    return transfer


async def _record(session: AsyncSession, principal: Principal, action: str, t: Transfer) -> None:
    await audit.record(
        session,
        principal=principal,
        action=action,
        object_type="transfer",
        object_id=t.id,
        detail={
            "from_account": t.from_account,
            "to_account": t.to_account,
            "amount_ore": t.amount_ore,
            "kind": t.kind,
            "state": t.state,
        },
    )


async def known_accounts(session: AsyncSession, codes: dict[str, str]) -> dict[str, Account]:
    """The accounts named at each location (`body.from_account` → code); 422 naming each
    unknown one."""
    found = await accounts.get_many(session, codes.values())
    errors = [
        field_error(location, f"no account with code {code}", code)
        for location, code in codes.items()
        if code not in found
    ]
    if errors:
        raise invalid_many(errors)
    return found


async def _check_correction(session: AsyncSession, data: TransferCreate) -> None:
    if data.kind is not TransferKind.correction:
        if data.corrects_id is not None:
            raise invalid("body.corrects_id", "only a correction names a transfer it corrects")
        return
    if data.corrects_id is None:
        raise invalid("body.corrects_id", "a correction must name the transfer it corrects")
    original = await repository.get(session, data.corrects_id)
    if original is None:
        raise invalid("body.corrects_id", "no such transfer", data.corrects_id)
    if original.state != TransferState.posted:
        raise invalid(
            "body.corrects_id",
            f"only a posted transfer is corrected (this one is {original.state})",
        )
    if {data.from_account, data.to_account} != {original.from_account, original.to_account}:
        raise invalid(
            "body.to_account",
            "a correction runs between the corrected transfer's two accounts",
            data.to_account,
        )
    if data.from_account == original.to_account:
        left = original.amount_ore - await repository.reversed_amount(session, original)
        if data.amount_ore > left:
            raise invalid(
                "body.amount_ore",
                f"at most {left} öre of transfer {original.id} is left to reverse",
                data.amount_ore,
            )


async def create_transfer(
    session: AsyncSession, *, data: TransferCreate, principal: Principal
) -> Transfer:
    """One transfer between two accounts of one year; 409 insufficient-funds if the from
    account lacks the amount (a source account may go negative)."""
    if data.from_account == data.to_account:
        raise invalid("body.to_account", "a transfer goes to another account", data.to_account)
    found = await known_accounts(
        session, {"body.from_account": data.from_account, "body.to_account": data.to_account}
    )
    source, target = found[data.from_account], found[data.to_account]
    if source.year != target.year:
        raise invalid(
            "body.to_account",
            f"the account is of year {target.year}, the from account of {source.year}",
            data.to_account,
        )
    await _check_correction(session, data)
    [transfer] = await move(
        session,
        [
            Movement(
                from_account=data.from_account,
                to_account=data.to_account,
                amount_ore=data.amount_ore,
                kind=data.kind,
                pending=data.pending,
                note=data.note,
                corrects_id=data.corrects_id,
            )
        ],
        principal=principal,
    )
    return transfer


async def get_transfer(
    session: AsyncSession, *, transfer_id: int, principal: Principal
) -> Transfer:
    """One transfer, if the principal may see one of its accounts (else 404)."""
    transfer = await repository.get(session, transfer_id)
    if transfer is not None and principal.role is not Role.admin:
        sides = await accounts.get_many(session, {transfer.from_account, transfer.to_account})
        if not any(_may_see(principal, account) for account in sides.values()):
            transfer = None
    if transfer is None:
        raise NotFound(f"No transfer with id {transfer_id}.")
    return transfer


def _may_see(principal: Principal, account: Account) -> bool:
    try:
        account_rules.check_visible(principal, account)
    except NotFound:
        return False
    return True


async def list_transfers(
    session: AsyncSession, *, principal: Principal, filters: TransferFilter, page: PageParams
) -> tuple[list[Transfer], int]:
    """The transfers the principal may see that match the filters, oldest first."""
    return await repository.page(session, principal=principal, filters=filters, page=page)
