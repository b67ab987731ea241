"""Accounts: the rules of the tree, and who may see which account."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, visible_county, visible_organisation
from common.pagination import PageParams
from common.problems import NotFound, field_error, invalid_many
from services.funding.accounts import repository
from services.funding.accounts.models import Account
from services.funding.accounts.schemas import AccountCreate, AccountFilter, AccountKind
from services.funding.audit import service as audit

# The kind a parent must have, by the kind of the child.
PARENT_KINDS = {
    AccountKind.source: {AccountKind.source},
    AccountKind.budget: {AccountKind.budget},
    AccountKind.county: {AccountKind.budget},
    AccountKind.organiser: {AccountKind.budget},
}


def check_visible(principal: Principal, account: Account) -> None:
    """404 unless the principal may read this account."""
    visible_county(principal, account.county_code or "", "account")
    visible_organisation(principal, account.organisation_number or "", "account")


def _scope_errors(data: AccountCreate) -> list[dict[str, Any]]:
    errors = []
    if (data.kind is AccountKind.county) != (data.county_code is not None):
        errors.append(
            field_error(
                "body.county_code", "required for kind county, and only for it", data.county_code
            )
        )
    if (data.kind is AccountKind.organiser) != (data.organisation_number is not None):
        errors.append(
            field_error(
                "body.organisation_number",
                "required for kind organiser, and only for it",
                data.organisation_number,
            )
        )
    return errors


async def _parent_errors(session: AsyncSession, data: AccountCreate) -> list[dict[str, Any]]:
    if data.parent_code is None:
        if data.kind in (AccountKind.county, AccountKind.organiser):
            return [field_error("body.parent_code", f"an account of kind {data.kind} has a parent")]
        return []
    parent = await repository.get(session, data.parent_code)
    if parent is None:
        message = f"no account with code {data.parent_code}"
    elif parent.year != data.year:
        message = f"the parent is of year {parent.year}, not {data.year}"
    elif parent.kind not in PARENT_KINDS[data.kind]:
        allowed = " or ".join(sorted(kind.value for kind in PARENT_KINDS[data.kind]))
        message = f"a {data.kind} account's parent must be a {allowed} account"
    else:
        return []
    return [field_error("body.parent_code", message, data.parent_code)]


async def create_account(
    session: AsyncSession, *, data: AccountCreate, principal: Principal, years: range
) -> Account:
    """Open an account in a year's tree; its balances start at zero."""
    errors = []
    if data.year not in years:
        errors.append(
            field_error(
                "body.year", f"accounts are opened for the years {years[0]}-{years[-1]}", data.year
            )
        )
    if data.code.split(".", 1)[0] != str(data.year):
        errors.append(field_error("body.code", f"the code must begin with {data.year}.", data.code))
    errors += _scope_errors(data) + await _parent_errors(session, data)
    if errors:
        raise invalid_many(errors)
    account = await repository.add(
        session,
        Account(
            code=data.code,
            name=data.name,
            year=data.year,
            kind=data.kind.value,
            parent_code=data.parent_code,
            county_code=data.county_code,
            organisation_number=data.organisation_number,
            created_by=principal.client_id,
        ),
    )
    await _record_created(session, principal, account)
    return account


async def _record_created(session: AsyncSession, principal: Principal, account: Account) -> None:
    await audit.record(
        session,
        principal=principal,
        action="account.created",
        object_type="account",
        object_id=account.code,
        detail={"kind": account.kind, "year": account.year, "parent_code": account.parent_code},
    )


async def get_account(session: AsyncSession, *, code: str, principal: Principal) -> Account:
    """One account, if it exists and the principal may see it (else 404)."""
    account = await repository.get(session, code)
    if account is None:
        raise NotFound(f"No account with code {code}.")
    check_visible(principal, account)
    return account


async def list_accounts(
    session: AsyncSession, *, principal: Principal, filters: AccountFilter, page: PageParams
) -> tuple[list[Account], int]:
    """The accounts the principal may see that match the filters, by code."""
    return await repository.page(session, principal=principal, filters=filters, page=page)


async def ensure_organiser_account(
    session: AsyncSession,
    *,
    pool: Account,
    organisation_number: str,
    name: str,
    principal: Principal,
) -> Account:
    """The organiser's grant account under a pool, opened now if it does not exist."""
    code = f"{pool.code}.{organisation_number.replace('-', '')}"
    existing = await repository.get(session, code)
    if existing is not None:
        return existing
    account = await repository.add_if_missing(
        session,
        Account(
            code=code,
            name=name[:200],
            year=pool.year,
            kind=AccountKind.organiser.value,
            parent_code=pool.code,
            organisation_number=organisation_number,
            created_by=principal.client_id,
        ),
    )
    await _record_created(session, principal, account)
    return account
