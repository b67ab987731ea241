"""Idempotency keys on every money-moving POST: a retry replays and moves no money."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from tests.funding.support import API, MALMO, POOL, Grants, Ledger


@pytest.fixture
async def funded(ledger: Ledger) -> Ledger:
    """2019.a holds 10 000 000 öre; 2019.b is empty."""
    await ledger.funded("2019.a", 10_000_000)
    await ledger.open("2019.b")
    return ledger


TRANSFER = {"from_account": "2019.a", "to_account": "2019.b", "amount_ore": 1_000, "kind": "grant"}


class TestReplays:
    async def test_a_retry_replays_the_first_response_and_moves_no_money(
        self, funded: Ledger
    ) -> None:
        headers = funded.keyed("retry-1")
        first = await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)
        after_first = await funded.balances("2019.a", "2019.b")

        retry = await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)

        assert first.status_code == retry.status_code == 201
        assert "Idempotent-Replayed" not in first.headers
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json() == first.json()
        assert await funded.balances("2019.a", "2019.b") == after_first
        assert len(await funded.transfers(from_account="2019.a")) == 1

    async def test_the_same_key_with_another_body_is_422_and_moves_nothing(
        self, funded: Ledger
    ) -> None:
        headers = funded.keyed("retry-2")
        await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)
        after_first = await funded.balances("2019.a", "2019.b")

        other = await funded.client.post(
            f"{API}/transfers", json={**TRANSFER, "amount_ore": 2_000}, headers=headers
        )

        assert other.status_code == 422
        assert other.json()["type"] == "idempotency-key-reused"
        assert await funded.balances("2019.a", "2019.b") == after_first

    async def test_a_refused_request_stores_nothing_and_may_be_retried(
        self, funded: Ledger
    ) -> None:
        headers = funded.keyed("retry-3")
        refused = await funded.client.post(
            f"{API}/transfers", json={**TRANSFER, "amount_ore": 10_000_001}, headers=headers
        )
        await funded.transfer("2019.staten", "2019.a", 1, kind="appropriation")

        retried = await funded.client.post(
            f"{API}/transfers", json={**TRANSFER, "amount_ore": 10_000_001}, headers=headers
        )

        assert refused.status_code == 409
        assert retried.status_code == 201
        assert "Idempotent-Replayed" not in retried.headers

    async def test_keys_belong_to_their_client(self, funded: Ledger, tokens: Any) -> None:
        await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=funded.keyed("mine"))

        other_admin = {**tokens.admin, "Idempotency-Key": "mine"}
        response = await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=other_admin)

        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers
        assert len(await funded.transfers(from_account="2019.a")) == 2

    async def test_50_concurrent_identical_retries_have_one_effect(self, funded: Ledger) -> None:
        headers = funded.keyed("burst")

        responses = await asyncio.gather(
            *(
                funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)
                for _ in range(50)
            )
        )

        first = [
            r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers
        ]
        assert len(first) == 1
        for response in responses:
            if response.status_code == 201:
                assert response.json() == first[0].json()
            else:
                assert response.status_code == 409
                assert response.json()["type"] == "idempotency-key-in-flight"
        later = await funded.client.post(f"{API}/transfers", json=TRANSFER, headers=headers)
        assert later.headers["Idempotent-Replayed"] == "true"
        assert later.json() == first[0].json()
        assert [t["id"] for t in await funded.transfers(from_account="2019.a")] == [
            first[0].json()["id"]
        ]
        assert await funded.balances("2019.a", "2019.b") == {
            "2019.a": (10_000_000, 1_000, 0, 9_999_000),
            "2019.b": (1_000, 0, 0, 1_000),
        }

    async def test_50_concurrent_distribution_retries_have_one_effect(self, funded: Ledger) -> None:
        await funded.open("2019.c")
        body = {
            "from_account": "2019.a",
            "amount_ore": 1_001,
            "key": "equal",
            "targets": [{"account": "2019.b"}, {"account": "2019.c"}],
        }
        headers = funded.keyed("burst-distribution")

        responses = await asyncio.gather(
            *(
                funded.client.post(f"{API}/distributions", json=body, headers=headers)
                for _ in range(50)
            )
        )

        assert set(Counter(r.status_code for r in responses)) <= {201, 409}
        assert (
            sum(
                1
                for r in responses
                if r.status_code == 201 and "Idempotent-Replayed" not in r.headers
            )
            == 1
        )
        assert await funded.balances("2019.b", "2019.c") == {
            "2019.b": (501, 0, 0, 501),
            "2019.c": (500, 0, 0, 500),
        }


async def _money_routes(grants: Grants) -> list[tuple[str, dict[str, Any] | None]]:
    """Every money-moving POST, each with a body that would succeed."""
    ledger = grants.ledger
    call = await grants.call(pool_ore=50_000_000)
    await ledger.open("2019.b")
    pending = (await ledger.transfer(POOL, "2019.b", 1, pending=True)).json()
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
        self, grants: Grants
    ) -> None:
        routes = await _money_routes(grants)
        before = await grants.ledger.transfers()
        accounts = await grants.client.get(f"{API}/accounts", headers=grants.ledger.admin)

        for path, body in routes:
            response = await grants.client.post(
                f"{API}{path}", json=body, headers=grants.ledger.admin
            )

            assert response.status_code == 400, path
            assert response.json()["type"] == "idempotency-key-required", path
        assert await grants.ledger.transfers() == before
        again = await grants.client.get(f"{API}/accounts", headers=grants.ledger.admin)
        assert again.json() == accounts.json()
