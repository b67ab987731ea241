"""/funding/v1/transfers: money between accounts, posted at once or reserved first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from common.db import SessionDep
from common.idempotency import RequiredIdempotencyDep
from common.pagination import Page, PageDep, YearQuery, id_path
from common.problems import problem_responses
from services.funding.access import AdminDep, LedgerReaderDep
from services.funding.transfers import service
from services.funding.transfers.schemas import (
    TransferCreate,
    TransferFilter,
    TransferKind,
    TransferRead,
    TransferState,
)

router = APIRouter(prefix="/transfers", tags=["transfers"])
TransferId = Annotated[int, id_path("The transfer's id.", 42)]
AccountQuery = Annotated[str | None, Query(max_length=100, examples=["2019.kvinnofrid.rss"])]


@router.post(
    "",
    status_code=201,
    response_model=TransferRead,
    summary="Make a transfer / Gör en överföring",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_transfer(
    body: TransferCreate,
    session: SessionDep,
    admin: AdminDep,
    idem: RequiredIdempotencyDep,
) -> Response:
    """Move `amount_ore` (an integer, 1 to 2^53 − 1) between two accounts of the same year.
    An account other than a `source` never gives more than it has: overspending is 409
    `insufficient-funds` and nothing changes, however many requests run at once (the rule is
    a conditional update inside PostgreSQL, with a CHECK behind it). `pending: true` reserves
    the amount; settle it with `/transfers/{id}/post` or `/void`. Unknown accounts, a
    transfer to the same account and accounts of different years are 422.
    `Idempotency-Key` is required."""
    return await service.create_transfer(session, data=body, principal=admin, idempotency=idem)


@router.get(
    "", summary="List transfers / Lista överföringar", responses=problem_responses(401, 403, 422)
)
async def list_transfers(
    session: SessionDep,
    principal: LedgerReaderDep,
    page: PageDep,
    account: AccountQuery = None,
    from_account: AccountQuery = None,
    to_account: AccountQuery = None,
    kind: Annotated[TransferKind | None, Query(examples=["allocation"])] = None,
    state: Annotated[TransferState | None, Query(examples=["posted"])] = None,
    year: YearQuery = None,
) -> Page[TransferRead]:
    """Transfers, oldest first; `account` matches either side. An `rss` principal sees the
    transfers of its county's accounts, an `organiser` those of its own grant accounts."""
    filters = TransferFilter(
        account=account,
        from_account=from_account,
        to_account=to_account,
        kind=kind,
        state=state,
        year=year,
    )
    transfers, total = await service.list_transfers(
        session, principal=principal, filters=filters, page=page
    )
    return Page.of([TransferRead.model_validate(t) for t in transfers], total, page)


@router.get(
    "/{id}",
    summary="Get a transfer / Hämta en överföring",
    responses=problem_responses(401, 403, 404),
)
async def get_transfer(
    id: TransferId, session: SessionDep, principal: LedgerReaderDep
) -> TransferRead:
    """One transfer; 404 when it touches none of the principal's accounts."""
    transfer = await service.get_transfer(session, transfer_id=id, principal=principal)
    return TransferRead.model_validate(transfer)


@router.post(
    "/{id}/post",
    response_model=TransferRead,
    summary="Post a pending transfer / Bokför en preliminär överföring",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def post_transfer(
    id: TransferId,
    session: SessionDep,
    admin: AdminDep,
    idem: RequiredIdempotencyDep,
) -> Response:
    """The reservation becomes a debit of the from account and a credit of the to account.
    A transfer that is not pending is 409 `transfer-not-pending`; one that belongs to a grant
    application is 409 `managed-by-application`. `Idempotency-Key` is required."""

    async def effect() -> TransferRead:
        transfer = await service.post_transfer(session, transfer_id=id, principal=admin)
        return TransferRead.model_validate(transfer)

    return await idem.run(effect, payload=None, status_code=200)


@router.post(
    "/{id}/void",
    response_model=TransferRead,
    summary="Void a pending transfer / Makulera en preliminär överföring",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def void_transfer(
    id: TransferId,
    session: SessionDep,
    admin: AdminDep,
    idem: RequiredIdempotencyDep,
) -> Response:
    """The reservation is released; nothing moves. A transfer that is not pending is 409
    `transfer-not-pending`. `Idempotency-Key` is required."""

    async def effect() -> TransferRead:
        transfer = await service.void_transfer(session, transfer_id=id, principal=admin)
        return TransferRead.model_validate(transfer)

    return await idem.run(effect, payload=None, status_code=200)
