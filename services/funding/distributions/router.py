"""/funding/v1/distributions: one amount over many accounts, to the öre."""

from __future__ import annotations

from fastapi import APIRouter, Response

from common.db import SessionDep
from common.idempotency import RequiredIdempotencyDep
from common.problems import problem_responses
from services.funding.access import AdminDep
from services.funding.distributions import service
from services.funding.distributions.schemas import DistributionCreate, DistributionRead
from services.funding.transfers.schemas import TransferRead

router = APIRouter(prefix="/distributions", tags=["transfers"])


@router.post(
    "",
    status_code=201,
    response_model=DistributionRead,
    summary="Distribute an amount / Fördela ett belopp",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_distribution(
    body: DistributionCreate,
    session: SessionDep,
    admin: AdminDep,
    idem: RequiredIdempotencyDep,
) -> Response:
    """Split `amount_ore` from `from_account` over `targets` and make one posted transfer per
    target, in the targets' order, in one transaction: all of them or none.

    Key `equal` gives every target the same share; key `weights` shares in proportion to each
    target's integer `weight`. Rounding is by the **largest-remainder method**: every share is
    rounded down, then the öre left over go one at a time to the targets with the largest
    remainders, **ties broken by the order of the targets** (the earlier target gets the extra
    öre). So 900 000 000 öre (9 MSEK) over the 21 counties gives the first 18 targets
    42 857 143 öre and the last 3 targets 42 857 142 öre, exactly 900 000 000 in all.

    The targets must be distinct accounts of the from account's year; overspending is 409
    `insufficient-funds` and nothing changes. `Idempotency-Key` is required."""

    async def effect() -> DistributionRead:
        transfers = await service.distribute(session, data=body, principal=admin)
        return DistributionRead(
            from_account=body.from_account,
            amount_ore=body.amount_ore,
            key=body.key,
            transfers=[TransferRead.model_validate(t) for t in transfers],
        )

    return await idem.run(effect, payload=body, status_code=201)
