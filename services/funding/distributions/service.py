"""Distributions: one amount split over many accounts, to the öre, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.problems import field_error, invalid, invalid_many
from services.funding.audit import service as audit
from services.funding.distributions.schemas import DistributionCreate, DistributionKey
from services.funding.transfers import service as ledger
from services.funding.transfers.models import Transfer
from services.funding.transfers.schemas import TransferKind


def largest_remainder(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` in proportion to `weights` so that the parts sum exactly to `amount`.

    Each part is first rounded down; the öre left over go one each to the parts with the
    largest remainders, ties broken by position (the earlier part gets the öre). With equal
    weights the first `amount mod n` parts are one öre larger: 900 000 000 over 21 gives
    18 × 42 857 143 then 3 × 42 857 142.
    """
    total = sum(weights)
    parts = [amount * weight // total for weight in weights]
    remainders = [amount * weight % total for weight in weights]
    leftover = amount - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


def _target_errors(data: DistributionCreate) -> list[dict[str, Any]]:
    errors = []
    seen: set[str] = set()
    for i, target in enumerate(data.targets):
        location = f"body.targets.{i}"
        if target.account == data.from_account:
            errors.append(
                field_error(f"{location}.account", "a target is another account", target.account)
            )
        elif target.account in seen:
            errors.append(
                field_error(f"{location}.account", "each account once only", target.account)
            )
        seen.add(target.account)
        if data.key is DistributionKey.weights and target.weight is None:
            errors.append(field_error(f"{location}.weight", "required with key weights"))
        if data.key is DistributionKey.equal and target.weight is not None:
            errors.append(field_error(f"{location}.weight", "only with key weights", target.weight))
    return errors


async def _check_accounts(session: AsyncSession, data: DistributionCreate) -> None:
    """422 naming each unknown account, and each target of another year than the from
    account."""
    locations = {"body.from_account": data.from_account}
    locations |= {f"body.targets.{i}.account": t.account for i, t in enumerate(data.targets)}
    found = await ledger.known_accounts(session, locations)
    year = found[data.from_account].year
    wrong_year = [
        field_error(location, f"the account is of year {found[code].year}, not {year}", code)
        for location, code in locations.items()
        if found[code].year != year
    ]
    if wrong_year:
        raise invalid_many(wrong_year)


def _movements(data: DistributionCreate) -> list[ledger.Movement]:
    """One movement per target, its share by the largest-remainder method (at least 1 öre)."""
    parts = largest_remainder(data.amount_ore, [t.weight or 1 for t in data.targets])
    if min(parts) < 1:
        raise invalid(
            "body.amount_ore", "too small to give every target at least one öre", data.amount_ore
        )
    return [
        ledger.Movement(
            from_account=data.from_account,
            to_account=target.account,
            amount_ore=part,
            kind=data.kind,
            note=data.note,
        )
        for target, part in zip(data.targets, parts, strict=True)
    ]


async def distribute(
    session: AsyncSession, *, data: DistributionCreate, principal: Principal
) -> list[Transfer]:
    """One posted transfer per target, in the targets' order, all or none."""
    if data.kind is TransferKind.correction:
        raise invalid("body.kind", "a correction is a single transfer", data.kind.value)
    errors = _target_errors(data)
    if errors:
        raise invalid_many(errors)
    await _check_accounts(session, data)
    transfers = await ledger.move(session, _movements(data), principal=principal)
    await audit.record(
        session,
        principal=principal,
        action="distribution.created",
        object_type="account",
        object_id=data.from_account,
        detail={
            "amount_ore": data.amount_ore,
            "key": data.key.value,
            "transfer_ids": [t.id for t in transfers],
        },
    )
    return transfers
