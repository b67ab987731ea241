"""The ledger's rules: transfers that never overspend, pending ones that settle once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse, Response

from common.auth import Principal, Role
from common.context import current_request_id
from common.idempotency import RETENTION, Idempotency, in_flight
from common.pagination import PageParams
from common.problems import AppError, NotFound, field_error, invalid, invalid_many
from services.funding.accounts import repository as accounts
from services.funding.accounts import service as account_rules
from services.funding.accounts.models import Account
from services.funding.audit import service as audit
from services.funding.money import kronor
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
    return _insufficient_funds(code, await repository.available(session, code), amount)


def _insufficient_funds(code: str, available: int, amount: int) -> InsufficientFunds:
    return InsufficientFunds(
        f"Account {code} has {kronor(available)} available; {kronor(amount)} were asked for.",
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


_CORRECTIONS = {
    "not_a_correction": "only a correction names a transfer it corrects",
    "missing": "a correction must name the transfer it corrects",
    "no_such": "no such transfer",
}


def _refusal(outcome: dict[str, Any], data: TransferCreate) -> AppError:
    """The problem for a refusal of `funding.make_transfer` (it has written nothing)."""
    match outcome["outcome"]:
        case "in_flight":
            return in_flight()
        case "same_account":
            return invalid("body.to_account", "a transfer goes to another account", data.to_account)
        case "unknown":
            sides = [("from", data.from_account), ("to", data.to_account)]
            return invalid_many(
                [
                    field_error(f"body.{side}_account", f"no account with code {code}", code)
                    for side, code in sides
                    if not outcome[f"{side}_known"]
                ]
            )
        case "years":
            return invalid(
                "body.to_account",
                f"the account is of year {outcome['to_year']}, "
                f"the from account of {outcome['from_year']}",
                data.to_account,
            )
        case "correction":
            return _correction_refused(outcome, data)
        case "insufficient":
            return _insufficient_funds(data.from_account, outcome["available"], data.amount_ore)
    raise RuntimeError(f"unknown outcome of funding.make_transfer: {outcome['outcome']}")


def _correction_refused(outcome: dict[str, Any], data: TransferCreate) -> AppError:
    reason = outcome["reason"]
    if reason in _CORRECTIONS:
        value = data.corrects_id if reason == "no_such" else None
        return invalid("body.corrects_id", _CORRECTIONS[reason], value)
    if reason == "not_posted":
        return invalid(
            "body.corrects_id",
            f"only a posted transfer is corrected (this one is {outcome['state']})",
        )
    if reason == "other_accounts":
        return invalid(
            "body.to_account",
            "a correction runs between the corrected transfer's two accounts",
            data.to_account,
        )
    return invalid(
        "body.amount_ore",
        f"at most {kronor(outcome['left'])} ({outcome['left']} öre) of transfer "
        f"{outcome['original']} is left to reverse",
        data.amount_ore,
    )


async def create_transfer(
    session: AsyncSession,
    *,
    data: TransferCreate,
    principal: Principal,
    idempotency: Idempotency,
) -> Response:
    """One transfer between two accounts of one year, or the stored answer to its key; 409
    insufficient-funds if the from account lacks the amount (a source account may go
    negative). All of it is one statement in PostgreSQL (`funding.make_transfer`), so the
    hot account's row is held for microseconds, not for round trips."""
    request_fingerprint = idempotency.fingerprint_of(data)
    async with repository.database_guards():
        outcome = await repository.make_transfer(
            session,
            client_id=principal.client_id,
            role=principal.role.value,
            key=idempotency.key,
            lock_name=idempotency.lock_name,
            fingerprint=request_fingerprint,
            retention=RETENTION,
            from_account=data.from_account,
            to_account=data.to_account,
            amount_ore=data.amount_ore,
            kind=data.kind.value,
            pending=data.pending,
            note=data.note,
            corrects_id=data.corrects_id,
            request_id=current_request_id(),
            decision=data.decision.value if data.decision else None,
            decided_on=data.decided_on,
        )
    if outcome["outcome"] == "replay":
        return idempotency.replay(
            request_fingerprint, outcome["fingerprint"], outcome["status"], outcome["body"]
        )
    if outcome["outcome"] != "made":
        raise _refusal(outcome, data)
    return JSONResponse(outcome["body"], status_code=201)


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
