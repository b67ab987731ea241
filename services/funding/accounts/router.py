"""/funding/v1/accounts: the tree of accounts per year and their balances."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep
from common.pagination import Page, PageDep, YearQuery
from common.problems import problem_responses
from common.reference import CountyCode
from services.funding.access import AdminDep, LedgerReaderDep
from services.funding.accounts import service
from services.funding.accounts.schemas import (
    AccountCreate,
    AccountFilter,
    AccountKind,
    AccountRead,
)
from services.funding.config import SettingsDep

router = APIRouter(prefix="/accounts", tags=["accounts"])
Code = Annotated[
    str,
    Path(max_length=100, description="The account's code.", examples=["2019.kvinnofrid.rss.12"]),
]


@router.post(
    "",
    status_code=201,
    response_model=AccountRead,
    summary="Open an account / Öppna ett konto",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_account(
    body: AccountCreate,
    session: SessionDep,
    admin: AdminDep,
    settings: SettingsDep,
    idem: IdempotencyDep,
) -> Response:
    """Open an account in a year's tree, with zero balances. The code begins with the year
    (`2019.kvinnofrid.rss.12`); the parent must exist and be of the same year; a `county`
    account carries `county_code`, an `organiser` account `organisation_number` (Luhn-checked).
    An existing code is 409 `account-exists`. `Idempotency-Key` is accepted."""

    async def effect() -> AccountRead:
        account = await service.create_account(
            session, data=body, principal=admin, years=settings.programme_years
        )
        return AccountRead.model_validate(account)

    return await idem.run(effect, payload=body, status_code=201)


@router.get("", summary="List accounts / Lista konton", responses=problem_responses(401, 403, 422))
async def list_accounts(
    session: SessionDep,
    principal: LedgerReaderDep,
    page: PageDep,
    year: YearQuery = None,
    kind: Annotated[AccountKind | None, Query(examples=["county"])] = None,
    county_code: Annotated[CountyCode | None, Query(examples=["12"])] = None,
    parent_code: Annotated[
        str | None, Query(max_length=100, examples=["2019.kvinnofrid.rss"])
    ] = None,
) -> Page[AccountRead]:
    """Accounts by code, with balances. An `rss` principal sees only its county's accounts,
    an `organiser` only its own grant accounts."""
    filters = AccountFilter(year=year, kind=kind, county_code=county_code, parent_code=parent_code)
    accounts, total = await service.list_accounts(
        session, principal=principal, filters=filters, page=page
    )
    return Page.of([AccountRead.model_validate(a) for a in accounts], total, page)


@router.get(
    "/{code}",
    summary="Get an account / Hämta ett konto",
    responses=problem_responses(401, 403, 404),
)
async def get_account(code: Code, session: SessionDep, principal: LedgerReaderDep) -> AccountRead:
    """One account with `credited_ore`, `debited_ore`, `pending_ore` and `available_ore`
    (credited − debited − pending). Another county's or organiser's account is 404."""
    account = await service.get_account(session, code=code, principal=principal)
    return AccountRead.model_validate(account)
