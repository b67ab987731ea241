"""Every money-moving POST of the service (transfers, their settlement, distributions and
each step of a grant) requires an Idempotency-Key."""

from __future__ import annotations

from typing import Any

from tests.funding.support import API, MALMO, POOL, Grants
from tests.support import Schema, unchanged


async def _money_routes(grants: Grants) -> list[tuple[str, dict[str, Any] | None]]:
    """Every money-moving POST, each with a body that would succeed."""
    ledger = grants.ledger
    call = await grants.call(pool_ore=50_000_000)
    await ledger.open("2019.b")
    pending = await ledger.transferred(POOL, "2019.b", 1, pending=True)
    submitted = await grants.applied(call["id"], MALMO)
    approved = await grants.approved(call["id"], 20_000_000, "212000-2965")
    return [
        (
            "/transfers",
            {"from_account": POOL, "to_account": "2019.b", "amount_ore": 1, "kind": "grant"},
        ),
        (f"/transfers/{pending['id']}/post", None),
        (f"/transfers/{pending['id']}/void", None),
        (
            "/distributions",
            {
                "from_account": POOL,
                "amount_ore": 1,
                "key": "equal",
                "targets": [{"account": "2019.b"}],
            },
        ),
        (
            f"/applications/{submitted['id']}/decision",
            {"decision": "approve", "approved_amount_ore": 1},
        ),
        (f"/applications/{approved['id']}/payments", {"amount_ore": 1}),
        (f"/applications/{approved['id']}/settlement", {"used_amount_ore": 0}),
        (f"/applications/{approved['id']}/repayments", {"amount_ore": 1}),
    ]


class TestKeysAreRequired:
    async def test_a_money_moving_post_without_a_key_is_400_and_changes_nothing(
        self, grants: Grants, schema: Schema
    ) -> None:
        routes = await _money_routes(grants)
        before = await grants.ledger.transfers()
        accounts = await grants.client.get(f"{API}/accounts", headers=grants.ledger.admin)

        async with unchanged(schema):
            for path, body in routes:
                response = await grants.client.post(
                    f"{API}{path}", json=body, headers=grants.ledger.admin
                )

                assert response.status_code == 400, path
                assert response.json()["type"] == "idempotency-key-required", path
        assert await grants.ledger.transfers() == before
        again = await grants.client.get(f"{API}/accounts", headers=grants.ledger.admin)
        assert again.json() == accounts.json()
